using System.Numerics;

namespace Perception.Viewer.Scenes;

/// <summary>Coloured line segments (box edges, grid, axes): xyz per end, RGBA per end, drawn as GL_LINES.</summary>
public sealed class LineLayer
{
    private readonly List<float> positions = [];
    private readonly List<byte> colors = [];

    /// <summary>Number of line ends (twice the number of segments).</summary>
    public int VertexCount => positions.Count / 3;

    /// <summary>xyz of every end, float32.</summary>
    public float[] Positions => [.. positions];

    /// <summary>RGBA of every end, opaque.</summary>
    public byte[] Colors => [.. colors];

    public void Add(Vector3 from, Vector3 to, Rgb color)
    {
        foreach (Vector3 end in (ReadOnlySpan<Vector3>)[from, to])
        {
            positions.AddRange([end.X, end.Y, end.Z]);
            colors.AddRange([color.R, color.G, color.B, 255]);
        }
    }

    /// <summary>The 12 edges of a box.</summary>
    public void AddBox(OrientedBox box, Rgb color)
    {
        Vector3[] c = box.Corners();
        for (int i = 0; i < 4; i++)
        {
            Add(c[i], c[(i + 1) % 4], color);
            Add(c[i + 4], c[((i + 1) % 4) + 4], color);
            Add(c[i], c[i + 4], color);
        }

        // A line from the centre of the front face marks the heading.
        Add(box.Center, box.Center + new Vector3(MathF.Cos(box.Heading), MathF.Sin(box.Heading), 0) * (box.Size.X / 2), color);
    }
}
