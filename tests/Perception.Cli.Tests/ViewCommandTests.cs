using System.Diagnostics;
using Perception.Datasets.SemanticKitti;

namespace Perception.Cli.Tests;

/// <summary>
/// `perception view` in a real GLFW window on an X server of its own (Xvfb, started here on a free display): it opens,
/// draws frames of a two-scan sequence, writes a screenshot, closes by itself and exits cleanly.
/// </summary>
[Collection("cli")]
public sealed class ViewCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("perception-view-").FullName;
    private readonly Process xvfb;
    private readonly int display;

    public ViewCommandTests()
    {
        display = Enumerable.Range(90 + (Environment.ProcessId % 300), 50).First(n => !File.Exists($"/tmp/.X11-unix/X{n}"));
        xvfb = Process.Start(new ProcessStartInfo("Xvfb", [$":{display}", "-screen", "0", "800x600x24", "-nolisten", "tcp"])
        {
            RedirectStandardError = true,
        })!;
        for (int wait = 0; wait < 100 && !File.Exists($"/tmp/.X11-unix/X{display}"); wait++)
        {
            Thread.Sleep(50);
        }
    }

    public void Dispose()
    {
        xvfb.Kill();
        xvfb.WaitForExit();
        xvfb.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void The_window_draws_frames_takes_a_screenshot_and_closes_cleanly()
    {
        string sequence = Path.Combine(folder, "sequences", "00");
        Directory.CreateDirectory(Path.Combine(sequence, "velodyne"));
        for (int frame = 0; frame < 2; frame++)
        {
            var points = new List<float>();
            for (int i = 0; i < 2000; i++)
            {
                points.AddRange([(i % 50) - 25f, (i / 50) - 20f + frame, -1.7f, 0.5f]);
            }

            KittiScanFile.Write(Path.Combine(sequence, "velodyne", $"00000{frame}.bin"), [.. points]);
        }

        string screenshot = Path.Combine(folder, "view.png");
        (int code, string output) = RunViewer(sequence, "--size", "320x240", "--close-after", "6", "--screenshot-on-close", screenshot);

        Assert.True(code == 0, output);
        Assert.Contains("Viewer closed after 6 frames drawn.", output, StringComparison.Ordinal);
        byte[] png = File.ReadAllBytes(screenshot);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.True(png.Length > 1000, "the screenshot should show the points, not an empty picture");
    }

    [Fact]
    public void The_error_view_of_a_recorded_prediction_shows_the_wrong_points_red_in_the_window()
    {
        string scan = Path.Combine(folder, "000000.bin");
        KittiScanFile.Write(scan, [.. Enumerable.Range(0, 400).SelectMany(i => new[] { (i % 20) - 10f, (i / 20) - 10f, -1.7f, 0.5f })]);
        KittiLabelFile.Write(Path.Combine(folder, "000000.label"), [.. Enumerable.Repeat(40u, 400)]);
        string predictions = Path.Combine(folder, "predictions.label");
        KittiLabelFile.Write(predictions, [.. Enumerable.Range(0, 400).Select(i => i % 2 == 0 ? 40u : 10u)]);

        string screenshot = Path.Combine(folder, "errors.png");
        (int code, string output) = RunViewer(scan, "--predictions", predictions, "--view", "errors", "--size", "320x240",
            "--close-after", "3", "--screenshot-on-close", screenshot);

        Assert.True(code == 0, output);
        Assert.Contains("accuracy 50.0%", output, StringComparison.Ordinal);
        // 200 wrong points of about 2x2 pixels each; the x axis, also red, is a short line of a few dozen.
        Perception.Viewer.Imaging.RgbImage picture = Perception.Viewer.Tests.PngReader.Read(screenshot);
        int red = Enumerable.Range(0, picture.Width * picture.Height).Count(p => picture[p % picture.Width, p / picture.Width] == (255, 0, 0));
        Assert.True(red > 300, $"{red} red pixels");
    }

    [Fact]
    public void A_live_topic_fills_the_window_as_clouds_arrive()
    {
        uint domain = (uint)(60 + (Environment.ProcessId % 40));
        string screenshot = Path.Combine(folder, "live.png");
        (int code, string output) result;
        using (LiveTopicCommandTests.Publish(domain, "/live/view"))
        {
            result = RunViewer("ros2:/live/view", "--loopback", "--domain-id", $"{domain}", "--size", "320x240",
                "--close-after", "15", "--screenshot-on-close", screenshot);
        }

        Assert.True(result.code == 0, result.output);
        Assert.Contains("Viewer closed after 15 frames drawn.", result.output, StringComparison.Ordinal);
        Perception.Viewer.Imaging.RgbImage picture = Perception.Viewer.Tests.PngReader.Read(screenshot);
        int lit = Enumerable.Range(0, picture.Width * picture.Height).Count(p => picture[p % picture.Width, p / picture.Width] != (0, 0, 0));
        Assert.True(lit > 500, $"{lit} lit pixels: the cloud should be drawn");
    }

    private (int Code, string Output) RunViewer(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "perception.dll"), "view", .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DISPLAY"] = $":{display}";
        start.Environment["COLUMNS"] = "300";
        using Process viewer = Process.Start(start)!;
        string output = viewer.StandardOutput.ReadToEnd() + viewer.StandardError.ReadToEnd();
        Assert.True(viewer.WaitForExit(60_000), "the viewer did not close");
        return (viewer.ExitCode, output);
    }

    [Fact]
    public void Without_an_X_server_the_error_says_so()
    {
        string scan = Path.Combine(folder, "000000.bin");
        KittiScanFile.Write(scan, [1f, 2f, -1.7f, 0.5f]);
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "perception.dll"), "view", scan])
        {
            RedirectStandardOutput = true,
        };
        start.Environment["DISPLAY"] = ":1999";
        using Process viewer = Process.Start(start)!;
        string output = viewer.StandardOutput.ReadToEnd();
        viewer.WaitForExit();
        Assert.Equal(2, viewer.ExitCode);
        Assert.Contains("glfwInit failed", output, StringComparison.Ordinal);
    }

    /// <summary>The input is checked before the display, so a user without one learns first that the file is wrong.</summary>
    [Fact]
    public void A_missing_file_is_named_before_the_display_is_tried()
    {
        (int code, string output) = CliOutput.Run(["view", Path.Combine(folder, "missing.bin")]);

        Assert.Equal(2, code);
        Assert.Contains("missing.bin: no such file or folder", output, StringComparison.Ordinal);
    }
}
