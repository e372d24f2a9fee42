using System.CommandLine;
using Perception.Datasets.SemanticKitti;
using Perception.Viewer.Windowing;
using Spectre.Console;

namespace Perception.Cli.Commands;

/// <summary>`perception view`: the interactive window (GLFW) on a scan or a whole SemanticKITTI sequence.</summary>
internal static class ViewCommand
{
    public static Command Create()
    {
        var scene = new SceneInputOptions();
        var size = new Option<string>("--size") { Description = "Window size WxH in pixels.", DefaultValueFactory = _ => "1280x800" };
        var closeAfter = new Option<int>("--close-after") { Description = "Close after drawing this many frames (scripts, tests; 0: never)." };
        var screenshot = new Option<string?>("--screenshot-on-close") { Description = "PNG of the last frame, written when the window closes." };
        var command = new Command("view", "Open the viewer window on a scan or a sequence folder (sequences/NN). Mouse: left drag "
            + "orbits, right drag pans, wheel zooms. Keys: ←/→ frame, space play at 10 Hz, 1-4 points/boxes/grid/axes, "
            + "+/- point size, S screenshot, R reset view, Q quit.")
        {
            size, closeAfter, screenshot,
        };
        scene.AddTo(command);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            string input = scene.Input(parse);
            IReadOnlyList<string> frames = Directory.Exists(input)
                ? [.. KittiSequence.ListFrames(input).Select(f => f.ScanPath)]
                : [input];
            if (frames.Count == 0)
            {
                throw new IOException($"{input}: the sequence has no velodyne/*.bin scans.");
            }

            if (parse.GetValue(screenshot) is { } shot)
            {
                CliErrors.RequireOutputFolder(shot, "--screenshot-on-close");
            }

            (int width, int height) = RenderCommand.ParseSize(parse.GetValue(size)!);
            bool described = false;
            var window = new ViewerWindow(frames, path =>
            {
                var loaded = frames.Count == 1 ? scene.Load(parse) : scene.Load(parse, path);
                if (!described)
                {
                    SceneInputOptions.Describe(loaded);
                    described = true;
                }

                return loaded;
            }, new ViewerWindowOptions
            {
                Width = width,
                Height = height,
                QuitAfterFrames = parse.GetValue(closeAfter),
                ScreenshotOnClose = parse.GetValue(screenshot),
            });
            int drawn = window.Run();
            AnsiConsole.MarkupLine($"Viewer closed after {drawn:N0} frames drawn.");
            return 0;
        }));
        return command;
    }
}
