using Perception.Viewer.Rendering;
using Perception.Viewer.Scenes;

namespace Perception.Viewer.Windowing;

/// <summary>How the window opens and, for scripted runs (tests, recordings), when it closes by itself.</summary>
public sealed record ViewerWindowOptions
{
    public int Width { get; init; } = 1280;

    public int Height { get; init; } = 800;

    /// <summary>The layers shown at first (keys 1-5 toggle them).</summary>
    public SceneLayers Layers { get; init; } = SceneLayers.All;

    /// <summary>How a scan with predictions is shown at first (E switches).</summary>
    public ComparisonView View { get; init; } = ComparisonView.SideBySide;

    /// <summary>Playback rate in frames per second for frames without recorded times: SemanticKITTI's sensor turns at
    /// 10 Hz. Recordings play at the rate their log times give.</summary>
    public double FramesPerSecond { get; init; } = 10;

    /// <summary>Close after drawing this many frames (0: only when the user quits).</summary>
    public int QuitAfterFrames { get; init; }

    /// <summary>Where S writes screenshots (viewer-NAME-N.png).</summary>
    public string ScreenshotFolder { get; init; } = ".";

    /// <summary>A screenshot of the last frame drawn, written when the window closes; null for none.</summary>
    public string? ScreenshotOnClose { get; init; }
}
