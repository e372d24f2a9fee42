using Perception.Viewer.Rendering;
using Perception.Viewer.Scenes;

namespace Perception.Viewer.Windowing;

/// <summary>What a key asks of the viewer.</summary>
public enum ViewerAction
{
    None,
    NextFrame,
    PreviousFrame,
    TogglePlay,
    TogglePoints,
    ToggleBoxes,
    ToggleGrid,
    ToggleAxes,
    ToggleLegend,
    ToggleComparison,
    LargerPoints,
    SmallerPoints,
    Screenshot,
    ResetView,
    Quit,
}

/// <summary>
/// The window's keyboard state: frame, playback, layers and point size, separate from GLFW so it is tested without a
/// window. Keys use GLFW's codes: printable keys are their upper-case ASCII code.
/// </summary>
public sealed class ViewerControls
{
    public const float MinPointSize = 1f;
    public const float MaxPointSize = 16f;

    public ViewerControls(int frameCount, SceneLayers layers = SceneLayers.All, ComparisonView view = ComparisonView.SideBySide)
    {
        (FrameCount, Layers, View) = (frameCount, layers, view);
    }

    /// <summary>Frames there are; a live topic adds frames while the window is open.</summary>
    public int FrameCount { get; private set; }

    /// <summary>How a scan with predictions is shown: E switches between side by side and the error view.</summary>
    public ComparisonView View { get; private set; }

    public int Frame { get; private set; }

    public bool Playing { get; private set; }

    public SceneLayers Layers { get; private set; }

    public float PointSize { get; private set; } = 2f;

    /// <summary>Right / N next, Left / P previous, Space play, 1-5 layers (points, boxes, grid, axes, legend), E errors / side by side, +/- point size, S screenshot,
    /// R reset view, Esc / Q quit.</summary>
    public static ViewerAction ActionOf(int key) => key switch
    {
        262 or 'N' => ViewerAction.NextFrame,
        263 or 'P' => ViewerAction.PreviousFrame,
        ' ' => ViewerAction.TogglePlay,
        '1' => ViewerAction.TogglePoints,
        '2' => ViewerAction.ToggleBoxes,
        '3' => ViewerAction.ToggleGrid,
        '4' => ViewerAction.ToggleAxes,
        '5' => ViewerAction.ToggleLegend,
        '=' or 334 => ViewerAction.LargerPoints,
        '-' or 333 => ViewerAction.SmallerPoints,
        'E' => ViewerAction.ToggleComparison,
        'S' => ViewerAction.Screenshot,
        'R' => ViewerAction.ResetView,
        256 or 'Q' => ViewerAction.Quit,
        _ => ViewerAction.None,
    };

    /// <summary>More frames arrived; when <paramref name="follow"/>, the newest becomes the current one.</summary>
    public void Grow(int frameCount, bool follow)
    {
        FrameCount = Math.Max(FrameCount, frameCount);
        Frame = follow ? FrameCount - 1 : Frame;
    }

    /// <summary>Applies what changes this state; screenshot, reset and quit are the window's to do.</summary>
    public void Apply(ViewerAction action)
    {
        switch (action)
        {
            case ViewerAction.NextFrame:
                Frame = (Frame + 1) % FrameCount;
                break;
            case ViewerAction.PreviousFrame:
                Frame = (Frame + FrameCount - 1) % FrameCount;
                break;
            case ViewerAction.TogglePlay:
                Playing = !Playing && FrameCount > 1;
                break;
            case >= ViewerAction.TogglePoints and <= ViewerAction.ToggleLegend:
                Layers ^= (SceneLayers)(1 << (action - ViewerAction.TogglePoints));
                break;
            case ViewerAction.ToggleComparison:
                View = View == ComparisonView.Errors ? ComparisonView.SideBySide : ComparisonView.Errors;
                break;
            case ViewerAction.LargerPoints:
                PointSize = Math.Min(PointSize + 1, MaxPointSize);
                break;
            case ViewerAction.SmallerPoints:
                PointSize = Math.Max(PointSize - 1, MinPointSize);
                break;
        }
    }
}
