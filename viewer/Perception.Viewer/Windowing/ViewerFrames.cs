using Perception.Viewer.Scenes;

namespace Perception.Viewer.Windowing;

/// <summary>What the window shows at one frame: one scene, or a scan compared with its ground truth (one or two panels
/// depending on the comparison view the keys choose).</summary>
public sealed record ViewerFrame(Scene Scene, ScanComparison? Comparison = null)
{
    /// <summary>A comparison's panels for <paramref name="view"/>, else the scene alone.</summary>
    public IReadOnlyList<Scene> Panels(ComparisonView view) => Comparison?.Panels(view) ?? [Scene];
}

/// <summary>The frames the window steps through: scans of a sequence, messages of a recording, or a live topic
/// (whose <see cref="Count"/> grows while the window is open).</summary>
public interface IViewerFrames
{
    int Count { get; }

    /// <summary>Short name of frame <paramref name="index"/> for the title bar and screenshot names.</summary>
    string NameOf(int index);

    /// <summary>Seconds from the first frame to frame <paramref name="index"/> as recorded, or null when the frames carry
    /// no time (playback then uses the window's frame rate).</summary>
    double? SecondsAt(int index);

    /// <exception cref="SceneInputException">The frame cannot be shown.</exception>
    ViewerFrame Load(int index);
}

/// <summary>A fixed list of frames loaded through a function: scans of a sequence or messages of a recording.</summary>
public sealed class FrameList(IReadOnlyList<string> names, Func<int, ViewerFrame> load, Func<int, double>? secondsAt = null)
    : IViewerFrames
{
    public int Count => names.Count;

    public string NameOf(int index) => names[index];

    public double? SecondsAt(int index) => secondsAt?.Invoke(index);

    public ViewerFrame Load(int index) => load(index);
}
