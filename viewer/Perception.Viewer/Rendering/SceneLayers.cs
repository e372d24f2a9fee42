namespace Perception.Viewer.Rendering;

/// <summary>The parts of a scene that are drawn; the window toggles them with keys.</summary>
[Flags]
public enum SceneLayers
{
    None = 0,
    Points = 1,
    Boxes = 2,
    Grid = 4,
    Axes = 8,

    /// <summary>The legend panel at the top-left corner (classes present, or the error view's key).</summary>
    Legend = 16,
    All = Points | Boxes | Grid | Axes | Legend,
}
