using System.CommandLine;
using Perception.Viewer.Windowing;
using Spectre.Console;

namespace Perception.Cli.Commands;

/// <summary>`perception view`: the interactive window (GLFW) on a scan or a whole SemanticKITTI sequence.</summary>
internal static class ViewCommand
{
    public static Command Create()
    {
        var scene = new SceneInputOptions();
        var display = new DisplayOptions();
        var size = new Option<string>("--size") { Description = "Window size WxH in pixels.", DefaultValueFactory = _ => "1280x800" };
        var closeAfter = new Option<int>("--close-after") { Description = "Close after drawing this many frames (scripts, tests; 0: never)." };
        var screenshot = new Option<string?>("--screenshot-on-close") { Description = "PNG of the last frame, written when the window closes." };
        var command = new Command("view", "Open the viewer window on a scan, a sequence folder (sequences/NN) or an MCAP "
            + "recording. Mouse: left drag orbits, right drag pans, wheel zooms. Keys: ←/→ frame, space play (recordings at "
            + "their recorded rate, sequences at 10 Hz), 1-5 points/boxes/grid/axes/legend, E errors / side by side, "
            + "+/- point size, S screenshot, R reset view, Q quit.")
        {
            size, closeAfter, screenshot,
        };
        scene.AddTo(command);
        display.AddTo(command);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            if (parse.GetValue(screenshot) is { } shot)
            {
                CliErrors.RequireOutputFolder(shot, "--screenshot-on-close");
            }

            (int width, int height) = RenderCommand.ParseSize(parse.GetValue(size)!);
            (IViewerFrames frames, IDisposable? owner) = scene.Frames(parse, display.Predictions(parse));
            using (owner)
            {
                var window = new ViewerWindow(new DescribedFrames(frames), new ViewerWindowOptions
                {
                    Width = width,
                    Height = height,
                    Layers = display.Layers(parse),
                    View = display.View(parse),
                    QuitAfterFrames = parse.GetValue(closeAfter),
                    ScreenshotOnClose = parse.GetValue(screenshot),
                });
                int drawn = window.Run();
                AnsiConsole.MarkupLine($"Viewer closed after {drawn:N0} frames drawn.");
            }

            return 0;
        }));
        return command;
    }
}

/// <summary>Frames that describe the first one loaded on the console (points, legend, the score of a prediction).
/// </summary>
internal sealed class DescribedFrames(IViewerFrames frames) : IViewerFrames
{
    private bool described;

    public int Count => frames.Count;

    public string NameOf(int index) => frames.NameOf(index);

    public double? SecondsAt(int index) => frames.SecondsAt(index);

    public ViewerFrame Load(int index)
    {
        ViewerFrame frame = frames.Load(index);
        if (!described)
        {
            DisplayOptions.Describe(frame);
            described = true;
        }

        return frame;
    }
}
