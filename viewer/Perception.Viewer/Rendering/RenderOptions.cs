using Perception.Viewer.Cameras;

namespace Perception.Viewer.Rendering;

/// <summary>What a headless picture shows and at what size.</summary>
public sealed record RenderOptions
{
    public CameraSpec Camera { get; init; } = new(CameraKind.Bev);

    public int Width { get; init; } = 1200;

    public int Height { get; init; } = 1200;

    /// <summary>Point diameter in pixels: 2 keeps the far rings of a scan visible at 1200 px.</summary>
    public float PointSize { get; init; } = 2f;

    public SceneLayers Layers { get; init; } = SceneLayers.All;
}
