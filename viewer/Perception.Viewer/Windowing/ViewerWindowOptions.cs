namespace Perception.Viewer.Windowing;

/// <summary>How the window opens and, for scripted runs (tests, recordings), when it closes by itself.</summary>
public sealed record ViewerWindowOptions
{
    public int Width { get; init; } = 1280;

    public int Height { get; init; } = 800;

    /// <summary>Playback rate in frames per second: SemanticKITTI's sensor turns at 10 Hz.</summary>
    public double FramesPerSecond { get; init; } = 10;

    /// <summary>Close after drawing this many frames (0: only when the user quits).</summary>
    public int QuitAfterFrames { get; init; }

    /// <summary>Where S writes screenshots (viewer-NAME-N.png).</summary>
    public string ScreenshotFolder { get; init; } = ".";

    /// <summary>A screenshot of the last frame drawn, written when the window closes; null for none.</summary>
    public string? ScreenshotOnClose { get; init; }
}
