using System.CommandLine;
using System.Diagnostics;
using Perception.Viewer.Cameras;
using Perception.Viewer.Native;
using Perception.Viewer.Rendering;
using Perception.Viewer.Scenes;
using Perception.Viewer.Windowing;
using Spectre.Console;

namespace Perception.Cli.Commands;

/// <summary>`perception render`: a picture of a scan without a display (EGL surfaceless, else OSMesa).</summary>
internal static class RenderCommand
{
    public static Command Create()
    {
        var scene = new SceneInputOptions();
        var display = new DisplayOptions();
        var output = new Option<string>("--out") { Description = "PNG to write (atomically).", Required = true };
        var camera = new Option<string>("--camera") { Description = "bev, chase or orbit:<degrees>.", DefaultValueFactory = _ => "bev" };
        var size = new Option<string>("--size") { Description = "Picture size WxH in pixels.", DefaultValueFactory = _ => "1200x1200" };
        var pointSize = new Option<float>("--point-size") { Description = "Point diameter in pixels.", DefaultValueFactory = _ => 2f };
        var backend = new Option<HeadlessBackend>("--gl")
        {
            Description = "Off-screen GL: auto (EGL surfaceless, then OSMesa), egl or osmesa.",
            DefaultValueFactory = _ => HeadlessBackend.Auto,
        };
        var command = new Command("render", "Render a point cloud to a PNG without a display (OpenGL 3.3 through EGL or OSMesa).")
        {
            output, camera, size, pointSize, backend,
        };
        scene.AddTo(command);
        display.AddTo(command);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            string path = parse.GetValue(output)!;
            CliErrors.RequireOutputFolder(path, "--out");
            (int width, int height) = ParseSize(parse.GetValue(size)!);
            var options = new RenderOptions
            {
                Camera = CameraSpec.Parse(parse.GetValue(camera)!),
                Width = width,
                Height = height,
                PointSize = parse.GetValue(pointSize),
                Layers = display.Layers(parse),
            };
            ViewerFrame frame = scene.LoadFrame(parse, display.Predictions(parse));
            IReadOnlyList<Scene> panels = frame.Panels(display.View(parse));
            long start = Stopwatch.GetTimestamp();
            using HeadlessRenderer renderer = HeadlessRenderer.Create(new HeadlessGlOptions { Backend = parse.GetValue(backend) });
            renderer.Render(panels, options).Save(path);
            DisplayOptions.Describe(frame);

            AnsiConsole.MarkupLine($"Rendered {panels.Count} × {width}x{height} from the {Markup.Escape(parse.GetValue(camera)!)} camera in "
                + $"{Stopwatch.GetElapsedTime(start).TotalMilliseconds:F0} ms with {Markup.Escape(renderer.Description)}: "
                + $"[link]{Markup.Escape(Path.GetFullPath(path))}[/]");
            return 0;
        }));
        return command;
    }

    /// <summary>"WxH", each side 1..<see cref="HeadlessRenderer.MaxSize"/>.</summary>
    internal static (int Width, int Height) ParseSize(string text)
    {
        string[] parts = text.ToLowerInvariant().Split('x');
        if (parts.Length == 2 && int.TryParse(parts[0], out int width) && int.TryParse(parts[1], out int height)
            && width is >= 1 and <= HeadlessRenderer.MaxSize && height is >= 1 and <= HeadlessRenderer.MaxSize)
        {
            return (width, height);
        }

        throw new ArgumentException($"--size: '{text}' is not WxH with sides 1..{HeadlessRenderer.MaxSize} (e.g. 1280x720).");
    }
}
