using System.Numerics;

namespace Perception.Viewer.Scenes;

/// <summary>
/// What the renderer and the glTF export draw, in the sensor frame (x forward, y left, z up, metres): coloured
/// points, box edges, a ground grid and the sensor's axes, and a legend when points are coloured by class.
/// </summary>
public sealed class Scene
{
    internal Scene(SceneCloud cloud, PointColoring coloring, byte[] pointColors, IReadOnlyList<OrientedBox> boxes,
        LineLayer boxEdges, LineLayer grid, LineLayer axes, IReadOnlyList<LegendEntry> legend)
    {
        Cloud = cloud;
        Coloring = coloring;
        PointColors = pointColors;
        Boxes = boxes;
        BoxEdges = boxEdges;
        Grid = grid;
        Axes = axes;
        Legend = legend;
        (Min, Max) = (new Vector3(float.PositiveInfinity), new Vector3(float.NegativeInfinity));
        for (int p = 0; p < cloud.Count; p++)
        {
            var point = new Vector3(cloud.Xyz[p * 3], cloud.Xyz[(p * 3) + 1], cloud.Xyz[(p * 3) + 2]);
            Min = Vector3.Min(Min, point);
            Max = Vector3.Max(Max, point);
        }
    }

    public SceneCloud Cloud { get; }

    /// <summary>The colouring chosen (never Auto).</summary>
    public PointColoring Coloring { get; }

    /// <summary>RGBA per point, opaque.</summary>
    public byte[] PointColors { get; }

    public IReadOnlyList<OrientedBox> Boxes { get; }

    /// <summary>The boxes' edges and heading marks.</summary>
    public LineLayer BoxEdges { get; }

    public LineLayer Grid { get; }

    public LineLayer Axes { get; }

    /// <summary>Classes present, in class order; empty unless coloured by class. The error view's entries are its
    /// key (correct, wrong, not scored).</summary>
    public IReadOnlyList<LegendEntry> Legend { get; }

    /// <summary>A line above the legend's entries (which labelling a panel shows, the accuracy); null for none.</summary>
    public string? LegendTitle { get; init; }

    /// <summary>Corners of the points' axis-aligned bounds.</summary>
    public Vector3 Min { get; }

    public Vector3 Max { get; }
}
