using System.Numerics;
using Perception.Datasets.SemanticKitti;

namespace Perception.Viewer.Scenes;

/// <summary>Turns a cloud (and boxes) into a <see cref="Scene"/>: point colours, legend, ground grid and axes.</summary>
public static class SceneBuilder
{
    /// <summary>Grid lines every 10 m: a LiDAR scan spans about ±50 m, so about ten cells each way.</summary>
    public const float GridSpacing = 10f;

    private static readonly Rgb GridColor = new(70, 70, 70);
    private static readonly Rgb BoxColor = new(255, 255, 255);

    /// <summary>The scene of <paramref name="cloud"/>; <paramref name="legendTitle"/> is a line above the legend's entries
    /// (which labelling this is), or null for none.</summary>
    /// <exception cref="SceneInputException">The colouring needs labels or an intensity the cloud does not have.
    /// </exception>
    public static Scene Build(SceneCloud cloud, PointColoring coloring = PointColoring.Auto,
        IReadOnlyList<OrientedBox>? boxes = null, string? legendTitle = null)
    {
        coloring = Resolve(cloud, coloring);
        var colors = new byte[cloud.Count * 4];
        IReadOnlyList<LegendEntry> legend = [];
        if (coloring == PointColoring.Class)
        {
            legend = ColorByClass(cloud.Classes!, colors);
        }
        else
        {
            float[] values = coloring == PointColoring.Intensity ? cloud.Intensity! : Column(cloud.Xyz, 2);
            float low = ColorRamp.Percentile(values, 0.01f), high = ColorRamp.Percentile(values, 0.99f);
            for (int p = 0; p < values.Length; p++)
            {
                Rgb c = ColorRamp.At(values[p], low, high);
                (colors[p * 4], colors[(p * 4) + 1], colors[(p * 4) + 2], colors[(p * 4) + 3]) = (c.R, c.G, c.B, 255);
            }
        }

        return Assemble(cloud, coloring, colors, boxes, legend, legendTitle);
    }

    /// <summary>A scene of points already coloured, with the boxes' edges, the ground grid and the axes.</summary>
    internal static Scene Assemble(SceneCloud cloud, PointColoring coloring, byte[] colors,
        IReadOnlyList<OrientedBox>? boxes, IReadOnlyList<LegendEntry> legend, string? legendTitle = null)
    {
        boxes ??= [];
        var boxEdges = new LineLayer();
        foreach (OrientedBox box in boxes)
        {
            boxEdges.AddBox(box, BoxColor);
        }

        return new Scene(cloud, coloring, colors, boxes, boxEdges, Grid(cloud), Axes(), legend) { LegendTitle = legendTitle };
    }

    private static PointColoring Resolve(SceneCloud cloud, PointColoring coloring)
    {
        if (coloring == PointColoring.Auto)
        {
            return cloud.Classes is not null ? PointColoring.Class
                : cloud.Intensity is not null ? PointColoring.Intensity : PointColoring.Height;
        }

        if (coloring == PointColoring.Class && cloud.Classes is null)
        {
            throw new SceneInputException(cloud.Source, "colouring by class needs labels: no .label file beside the scan "
                + "or in its sequence's labels folder, and none given");
        }

        if (coloring == PointColoring.Errors)
        {
            throw new SceneInputException(cloud.Source, "the error view needs predictions as well as labels; see ScanComparison");
        }

        if (coloring == PointColoring.Intensity && cloud.Intensity is null)
        {
            throw new SceneInputException(cloud.Source, "colouring by intensity needs an intensity field ("
                + string.Join('/', Datasets.PointClouds.PointCloud.IntensityNames) + ")");
        }

        return coloring;
    }

    private static List<LegendEntry> ColorByClass(int[] classes, byte[] colors)
    {
        var counts = new int[20];
        for (int p = 0; p < classes.Length; p++)
        {
            (byte r, byte g, byte b) = KittiClassColors.Of(classes[p]);
            (colors[p * 4], colors[(p * 4) + 1], colors[(p * 4) + 2], colors[(p * 4) + 3]) = (r, g, b, 255);
            counts[classes[p]]++;
        }

        return [.. Enumerable.Range(0, counts.Length).Where(c => counts[c] > 0).Select(c =>
        {
            (byte r, byte g, byte b) = KittiClassColors.Of(c);
            return new LegendEntry(c, KittiLearningMap.Official.ClassName(c), new Rgb(r, g, b), counts[c]);
        })];
    }

    /// <summary>A square grid around the sensor at the ground: the 1st percentile of z, below the few returns
    /// reflected under the road.</summary>
    private static LineLayer Grid(SceneCloud cloud)
    {
        float[] x = Column(cloud.Xyz, 0), y = Column(cloud.Xyz, 1);
        float reach = Math.Max(x.Max(v => MathF.Abs(v)), y.Max(v => MathF.Abs(v)));
        float half = MathF.Ceiling(Math.Min(reach, 100f) / GridSpacing) * GridSpacing;
        float ground = ColorRamp.Percentile(Column(cloud.Xyz, 2), 0.01f);
        var grid = new LineLayer();
        for (float at = -half; at <= half; at += GridSpacing)
        {
            grid.Add(new Vector3(at, -half, ground), new Vector3(at, half, ground), GridColor);
            grid.Add(new Vector3(-half, at, ground), new Vector3(half, at, ground), GridColor);
        }

        return grid;
    }

    /// <summary>The sensor frame at the origin: x red, y green, z blue, 2 m long.</summary>
    private static LineLayer Axes()
    {
        var axes = new LineLayer();
        axes.Add(Vector3.Zero, Vector3.UnitX * 2, new Rgb(255, 0, 0));
        axes.Add(Vector3.Zero, Vector3.UnitY * 2, new Rgb(0, 255, 0));
        axes.Add(Vector3.Zero, Vector3.UnitZ * 2, new Rgb(0, 0, 255));
        return axes;
    }

    private static float[] Column(float[] xyz, int axis)
    {
        var column = new float[xyz.Length / 3];
        for (int p = 0; p < column.Length; p++)
        {
            column[p] = xyz[(p * 3) + axis];
        }

        return column;
    }
}
