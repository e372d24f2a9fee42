using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace TorchSparse.Coordinates;

/// <summary>One (batch, x, y, z) coordinate row.</summary>
internal readonly record struct Coordinate(int Batch, int X, int Y, int Z)
{
    public override string ToString() => $"({Batch}, {X}, {Y}, {Z})";
}

/// <summary>
/// Exact linearisation of (b, x, y, z) between per-axis bounds into an int64 key, batch most significant and z least.
/// Distinct coordinates inside the bounds always get distinct keys (no hashing, so no aliasing), and key order is
/// (b, x, y, z) lexicographic order, which is what makes sorted keys give TorchSparse's unique-row order.
/// </summary>
internal readonly struct CoordinateKeyer
{
    // Offsets from the minimum are taken as uint: an extent is at most 2^32, so the difference of two ints is exact
    // modulo 2^32 and an unsigned compare against (extent - 1) is a complete bounds check.
    // Keys stay below 2^62 so that a key plus or minus a neighbour's key delta (itself below the key count) never
    // overflows int64.
    private const long MaxKeyCount = 1L << 62;

    private readonly uint spanB;
    private readonly uint spanX;
    private readonly uint spanY;
    private readonly uint spanZ;

    public CoordinateKeyer(Coordinate min, Coordinate max)
    {
        if (max.Batch < min.Batch || max.X < min.X || max.Y < min.Y || max.Z < min.Z)
        {
            throw new ArgumentException($"coordinate bounds are inverted: min {min}, max {max}.", nameof(min));
        }

        Min = min;
        Max = max;
        spanB = (uint)(max.Batch - min.Batch);
        spanX = (uint)(max.X - min.X);
        spanY = (uint)(max.Y - min.Y);
        spanZ = (uint)(max.Z - min.Z);
        ExtentX = spanX + 1L;
        ExtentY = spanY + 1L;
        ExtentZ = spanZ + 1L;
        Int128 keyCount = (Int128)(spanB + 1L) * ExtentX * ExtentY * ExtentZ;
        if (keyCount > MaxKeyCount)
        {
            throw new SparseEngineException(
                $"coordinate extents (batch {spanB + 1L}, x {ExtentX}, y {ExtentY}, z {ExtentZ}) "
                + $"between {min} and {max} "
                + "have more than 2^62 cells, so they cannot be linearised into an exact int64 key.");
        }

        KeyCount = (long)keyCount;
    }

    public Coordinate Min { get; }

    public Coordinate Max { get; }

    /// <summary>Number of distinct keys: the product of the four extents.</summary>
    public long KeyCount { get; }

    public long ExtentX { get; }

    public long ExtentY { get; }

    public long ExtentZ { get; }

    /// <summary>The bounds of <paramref name="coords"/> (flat [N*4]); a single cell at the origin when empty.</summary>
    public static CoordinateKeyer FromRows(ReadOnlySpan<int> coords)
    {
        if (coords.Length % 4 != 0)
        {
            throw new ShapeMismatchException($"coordinates must be flat [N*4] (b, x, y, z); got {coords.Length} ints.");
        }

        (Coordinate min, Coordinate max) = Bounds(coords);
        return new CoordinateKeyer(min, max);
    }

    /// <summary>Per-axis minimum and maximum of flat [N*4] rows (the origin for both when empty): a row
    /// (b, x, y, z) is one 4-lane vector, so this is a lane-wise min and max over the rows.</summary>
    public static (Coordinate Min, Coordinate Max) Bounds(ReadOnlySpan<int> coords)
    {
        if (coords.IsEmpty)
        {
            return (default, default);
        }

        var min = Vector128.Create(int.MaxValue);
        var max = Vector128.Create(int.MinValue);
        for (int at = 0; at + 4 <= coords.Length; at += 4)
        {
            var row = Vector128.Create(coords.Slice(at, 4));
            min = Vector128.Min(min, row);
            max = Vector128.Max(max, row);
        }

        return (new Coordinate(min[0], min[1], min[2], min[3]), new Coordinate(max[0], max[1], max[2], max[3]));
    }

    /// <summary>These bounds grown by <paramref name="x"/>, <paramref name="y"/> and <paramref name="z"/> cells on both
    /// sides of each axis, or null when the grown bounds would leave int32 or the 2^62 keys.</summary>
    public CoordinateKeyer? Grown(long x, long y, long z)
    {
        ReadOnlySpan<long> low = [Min.X - x, Min.Y - y, Min.Z - z];
        ReadOnlySpan<long> high = [Max.X + x, Max.Y + y, Max.Z + z];
        Int128 keyCount = spanB + 1L;
        for (int axis = 0; axis < 3; axis++)
        {
            if (low[axis] < int.MinValue || high[axis] > int.MaxValue)
            {
                return null;
            }

            keyCount *= high[axis] - low[axis] + 1;
        }

        return keyCount > MaxKeyCount
            ? null
            : new CoordinateKeyer(
                Min with { X = (int)low[0], Y = (int)low[1], Z = (int)low[2] },
                Max with { X = (int)high[0], Y = (int)high[1], Z = (int)high[2] });
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(int b, int x, int y, int z) =>
        (uint)(b - Min.Batch) <= spanB && (uint)(x - Min.X) <= spanX
        && (uint)(y - Min.Y) <= spanY && (uint)(z - Min.Z) <= spanZ;

    /// <summary>Whether the coordinate, given in int64 so a displaced coordinate cannot wrap, is inside the
    /// bounds.</summary>
    public bool Contains(long b, long x, long y, long z) =>
        (ulong)(b - Min.Batch) <= spanB && (ulong)(x - Min.X) <= spanX
        && (ulong)(y - Min.Y) <= spanY && (ulong)(z - Min.Z) <= spanZ;

    /// <summary>The key of a coordinate inside the bounds (see <see cref="Contains(int, int, int, int)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Encode(int b, int x, int y, int z) =>
        ((((long)(uint)(b - Min.Batch) * ExtentX) + (uint)(x - Min.X)) * ExtentY + (uint)(y - Min.Y)) * ExtentZ
        + (uint)(z - Min.Z);

    /// <summary>How a key changes when a coordinate inside the bounds moves by (dx, dy, dz) and stays inside.</summary>
    public long Delta(long dx, long dy, long dz) => (((dx * ExtentY) + dy) * ExtentZ) + dz;

    /// <summary>Writes the (b, x, y, z) of <paramref name="key"/> into <paramref name="row"/>[0..4].</summary>
    public void Decode(long key, Span<int> row)
    {
        long rest = Math.DivRem(key, ExtentZ, out long z);
        rest = Math.DivRem(rest, ExtentY, out long y);
        long b = Math.DivRem(rest, ExtentX, out long x);
        row[0] = (int)(Min.Batch + b);
        row[1] = (int)(Min.X + x);
        row[2] = (int)(Min.Y + y);
        row[3] = (int)(Min.Z + z);
    }
}
