using TorchSparse.Coordinates;

namespace TorchSparse.KernelMaps;

/// <summary>
/// A kernel's offsets arranged for the submanifold merge join: grouped into columns of equal (dx, dy), dz ascending
/// within a column, each with its key delta in one key space. Offsets reaching further than the key space is wide
/// can never land inside it and are left out.
/// </summary>
internal sealed unsafe class NeighbourColumns
{
    private readonly int[] starts;
    private readonly long[] dx;
    private readonly long[] dy;
    private readonly long[] dz;

    // Largest displacement below (Low) and above (High) zero per axis over the kept offsets.
    private readonly long reachLowX;
    private readonly long reachLowY;
    private readonly long reachLowZ;
    private readonly long reachHighX;
    private readonly long reachHighY;
    private readonly long reachHighZ;

    private NeighbourColumns(List<(long X, long Y, long Z, int Flat)> offsets, int[] starts, CoordinateKeyer keyer)
    {
        this.starts = starts;
        dx = offsets.Select(o => o.X).ToArray();
        dy = offsets.Select(o => o.Y).ToArray();
        dz = offsets.Select(o => o.Z).ToArray();
        Flat = offsets.Select(o => o.Flat).ToArray();
        Delta = offsets.Select(o => keyer.Delta(o.X, o.Y, o.Z)).ToArray();
        reachLowX = -dx.Append(0).Min();
        reachLowY = -dy.Append(0).Min();
        reachLowZ = -dz.Append(0).Min();
        reachHighX = dx.Append(0).Max();
        reachHighY = dy.Append(0).Max();
        reachHighZ = dz.Append(0).Max();
    }

    /// <summary>Number of columns.</summary>
    public int Count => starts.Length - 1;

    /// <summary>Number of offsets kept, over all columns.</summary>
    public int OffsetCount => Delta.Length;

    /// <summary>Key delta of each offset, in column order.</summary>
    public long[] Delta { get; }

    /// <summary>TorchSparse flat index of each offset, in column order.</summary>
    public int[] Flat { get; }

    /// <summary>The offsets of one kernel; with <paramref name="negativeHalfOnly"/> only those whose (dx, dy, dz) is
    /// lexicographically below zero, one of each mirror pair of an odd kernel.</summary>
    public static NeighbourColumns Create(Int3 kernel, Int3 dilation, CoordinateKeyer keyer, bool negativeHalfOnly)
    {
        var offsets = new List<(long X, long Y, long Z, int Flat)>();
        for (int jx = 0; jx < kernel.X; jx++)
        {
            for (int jy = 0; jy < kernel.Y; jy++)
            {
                for (int jz = 0; jz < kernel.Z; jz++)
                {
                    long x = KernelMapBuilder.Displacement(kernel.X, jx, dilation.X);
                    long y = KernelMapBuilder.Displacement(kernel.Y, jy, dilation.Y);
                    long z = KernelMapBuilder.Displacement(kernel.Z, jz, dilation.Z);
                    bool negative = x < 0 || (x == 0 && (y < 0 || (y == 0 && z < 0)));
                    bool reachable = Math.Abs(x) < keyer.ExtentX && Math.Abs(y) < keyer.ExtentY && Math.Abs(z) < keyer.ExtentZ;
                    if (reachable && (negative || !negativeHalfOnly))
                    {
                        offsets.Add((x, y, z, KernelMapBuilder.FlatOffset(kernel, jx, jy, jz)));
                    }
                }
            }
        }

        offsets.Sort((a, b) => (a.X, a.Y, a.Z).CompareTo((b.X, b.Y, b.Z)));
        var starts = new List<int> { 0 };
        for (int t = 1; t < offsets.Count; t++)
        {
            if (offsets[t].X != offsets[t - 1].X || offsets[t].Y != offsets[t - 1].Y)
            {
                starts.Add(t);
            }
        }

        starts.Add(offsets.Count);
        return new NeighbourColumns(offsets, offsets.Count == 0 ? [0] : starts.ToArray(), keyer);
    }

    /// <summary>Index of the first offset of a column (of the end, for column == Count).</summary>
    public int Start(int column) => starts[column];

    /// <summary>Key delta of the column's lowest offset: where its pointer has to reach for a row.</summary>
    public long FirstTargetDelta(int column) => Delta[starts[column]];

    /// <summary>Whether every offset of the row at <paramref name="c"/> stays inside the key space, so key + delta
    /// is the neighbour's key without a per-offset check.</summary>
    public bool IsInterior(int* c, in CoordinateKeyer keyer) =>
        c[1] - (long)keyer.Min.X >= reachLowX && keyer.Max.X - (long)c[1] >= reachHighX
        && c[2] - (long)keyer.Min.Y >= reachLowY && keyer.Max.Y - (long)c[2] >= reachHighY
        && c[3] - (long)keyer.Min.Z >= reachLowZ && keyer.Max.Z - (long)c[3] >= reachHighZ;

    /// <summary>Whether offset <paramref name="t"/> of the row at <paramref name="c"/> is inside the key space; past
    /// an axis's edge key + delta would wrap onto another coordinate's key.</summary>
    public bool Contains(int* c, int t, in CoordinateKeyer keyer) =>
        keyer.Contains(c[0], c[1] + dx[t], c[2] + dy[t], c[3] + dz[t]);
}
