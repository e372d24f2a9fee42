using System.Runtime.CompilerServices;
using TorchSparse.Coordinates;

namespace TorchSparse.KernelMaps;

/// <summary>
/// A kernel's offsets arranged for the submanifold merge join: columns of equal (dx, dy), each spanning a key range
/// [key + Low, key + High] around a row's key, with a lookup from (neighbour key - (key + Low)) to the offset's flat
/// index (-1 in the gaps a z dilation leaves). Offsets reaching further than the key space is wide can never land
/// inside it and are left out.
/// </summary>
internal sealed unsafe class NeighbourColumns
{
    private const int MaxLookupSpan = 4096;

    private readonly long[] dx;
    private readonly long[] dy;
    private readonly long[] dzLow;
    private readonly int[] lookupStart;

    // The box of coordinates whose every kept offset stays inside the key space: the key space shrunk by the
    // largest displacement below and above zero per axis.
    private readonly Int3Long interiorMin;
    private readonly Int3Long interiorMax;

    private NeighbourColumns(List<List<(long X, long Y, long Z, int Flat)>> columns, CoordinateKeyer keyer)
    {
        Count = columns.Count;
        dx = new long[Count];
        dy = new long[Count];
        dzLow = new long[Count];
        Low = new long[Count];
        High = new long[Count];
        lookupStart = new int[Count];
        var lookup = new List<int>();
        foreach (var (column, index) in columns.Select((column, index) => (column, index)))
        {
            dx[index] = column[0].X;
            dy[index] = column[0].Y;
            dzLow[index] = column[0].Z;
            Low[index] = keyer.Delta(column[0].X, column[0].Y, column[0].Z);
            High[index] = keyer.Delta(column[0].X, column[0].Y, column[^1].Z);
            lookupStart[index] = lookup.Count;
            int span = (int)(column[^1].Z - column[0].Z) + 1;
            lookup.AddRange(Enumerable.Repeat(-1, span));
            foreach (var offset in column)
            {
                lookup[lookupStart[index] + (int)(offset.Z - column[0].Z)] = offset.Flat;
            }
        }

        Lookup = lookup.ToArray();
        var all = columns.SelectMany(c => c).ToList();
        interiorMin = new Int3Long(
            keyer.Min.X + Reach(all, o => -o.X), keyer.Min.Y + Reach(all, o => -o.Y), keyer.Min.Z + Reach(all, o => -o.Z));
        interiorMax = new Int3Long(
            keyer.Max.X - Reach(all, o => o.X), keyer.Max.Y - Reach(all, o => o.Y), keyer.Max.Z - Reach(all, o => o.Z));
    }

    /// <summary>Number of columns.</summary>
    public int Count { get; }

    /// <summary>Per column: key delta of its lowest offset.</summary>
    public long[] Low { get; }

    /// <summary>Per column: key delta of its highest offset.</summary>
    public long[] High { get; }

    /// <summary>Flat offset index (or -1) of key distance d above a column's Low, at LookupStart(column) + d.</summary>
    public int[] Lookup { get; }

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
                    bool reachable = Math.Abs(x) < keyer.ExtentX && Math.Abs(y) < keyer.ExtentY
                        && Math.Abs(z) < keyer.ExtentZ;
                    if (reachable && (!negativeHalfOnly || KernelMapBuilder.IsBelowZero(x, y, z)))
                    {
                        offsets.Add((x, y, z, KernelMapBuilder.FlatOffset(kernel, jx, jy, jz)));
                    }
                }
            }
        }

        // A column's lookup spans its dz range; a huge z dilation would make that range huge, so such columns are
        // split into one column per offset.
        var columns = new List<List<(long X, long Y, long Z, int Flat)>>();
        foreach (var group in offsets.GroupBy(o => (o.X, o.Y)).OrderBy(g => g.Key))
        {
            var column = group.OrderBy(o => o.Z).ToList();
            if (column[^1].Z - column[0].Z < MaxLookupSpan)
            {
                columns.Add(column);
            }
            else
            {
                columns.AddRange(column.Select(o => new List<(long X, long Y, long Z, int Flat)> { o }));
            }
        }

        return new NeighbourColumns(columns, keyer);
    }

    public int LookupStart(int column) => lookupStart[column];

    /// <summary>Whether every offset of the row at <paramref name="c"/> stays inside the key space, so key + delta
    /// is the neighbour's key without a per-offset check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsInterior(int* c) =>
        (c[1] >= interiorMin.X) & (c[1] <= interiorMax.X) & (c[2] >= interiorMin.Y) & (c[2] <= interiorMax.Y)
        & (c[3] >= interiorMin.Z) & (c[3] <= interiorMax.Z);

    /// <summary>Whether the neighbour <paramref name="distance"/> keys above the column's Low is really inside the
    /// key space; past an axis's edge key + delta wraps onto another coordinate's key.</summary>
    public bool Contains(int* c, int column, long distance, in CoordinateKeyer keyer) =>
        keyer.Contains(c[0], c[1] + dx[column], c[2] + dy[column], c[3] + dzLow[column] + distance);

    private static long Reach(
        List<(long X, long Y, long Z, int Flat)> offsets, Func<(long X, long Y, long Z, int Flat), long> along) =>
        offsets.Select(along).Append(0).Max();

    private readonly record struct Int3Long(long X, long Y, long Z);
}
