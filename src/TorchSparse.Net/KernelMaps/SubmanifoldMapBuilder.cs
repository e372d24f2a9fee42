using System.Runtime.CompilerServices;
using TorchSparse.Autograd;
using TorchSparse.Coordinates;

namespace TorchSparse.KernelMaps;

/// <summary>
/// Stride-1 kernel maps by a merge join over sorted coordinate keys instead of hash probes. A probe into a table
/// larger than L2 is a cache miss (about 15 ns each on the 2-core target, even overlapped), while here every offset
/// is a pointer that only moves forward through the sorted keys: for rows in key order, coord + offset has key
/// key + delta, which rises with the row. Offsets are grouped into columns of equal (dx, dy), so one pointer serves
/// all the dz of a column. Rows from quantize and from every strided build are already in key order; other inputs
/// are radix-sorted first. The common case, an odd kernel over unique rows in key order, is joined straight into
/// pair lists (<see cref="MirrorPairJoin"/>); this class's join fills an out-in table for the others.
/// </summary>
internal sealed unsafe class SubmanifoldMapBuilder
{
    private const int ParallelChunk = 4096;

    private readonly int* coords;
    private readonly int* map;
    private readonly long[] sortedKeys;
    private readonly int rows;
    private readonly int[]? rowOfKey;
    private readonly CoordinateKeyer keyer;
    private readonly NeighbourColumns columns;
    private readonly int volume;
    private readonly bool mirror;
    private readonly bool unique;

    // The flat offset whose neighbour has key - 1 (the voxel just below), when it is alone in the last column: over
    // unique sorted keys that neighbour can only be the previous key, so interior rows test it without a pointer.
    private readonly int belowOffset = -1;

    private SubmanifoldMapBuilder(
        int* coords, int* map, long[] sortedKeys, int rows, int[]? rowOfKey, CoordinateKeyer keyer,
        NeighbourColumns columns, int volume, bool mirror, bool unique)
    {
        this.coords = coords;
        this.map = map;
        this.sortedKeys = sortedKeys;
        this.rows = rows;
        this.rowOfKey = rowOfKey;
        this.keyer = keyer;
        this.columns = columns;
        this.volume = volume;
        this.mirror = mirror;
        this.unique = unique;
        int last = columns.Count - 1;
        if (last >= 0 && columns.Low[last] == -1 && columns.High[last] == -1)
        {
            belowOffset = columns.Lookup[columns.LookupStart(last)];
        }
    }

    /// <summary>See <see cref="KernelMapBuilder.Submanifold"/>. <paramref name="keyer"/> spans the rows'
    /// coordinates; no hash table is needed, the join works on sorted keys.</summary>
    public static KernelMap Build(ReadOnlySpan<int> coords, Int3 kernel, Int3 dilation, CoordinateKeyer keyer)
    {
        int rows = coords.Length / 4;
        int volume = kernel.Volume;

        // Bounds grown by the kernel's reach make every row interior: key + delta never wraps onto another
        // coordinate's key, so no row needs edge checks.
        CoordinateKeyer? grown = keyer.Grown(
            (kernel.X - 1L) * dilation.X, (kernel.Y - 1L) * dilation.Y, (kernel.Z - 1L) * dilation.Z);
        keyer = grown ?? keyer;
        fixed (int* source = coords)
        {
            (long[]? keys, int[]? rowOfKey, int outsideRow) = SortedKeys(source, rows, keyer);
            if (keys is null)
            {
                // The keyer spans the rows, so only a negative batch index can fall outside it.
                throw new InvalidCoordinatesException(
                    $"coords row {outsideRow} has negative batch index {coords[outsideRow * 4]}; batch indices start at 0.");
            }

            // With unique coordinates an odd kernel is mirror-symmetric: if o sees i at offset k, i sees o at K-1-k.
            // Only the offsets lexicographically below zero are joined and each hit also gives its mirror.
            // Duplicated coordinates would race for a mirror entry: join them all.
            int distinct = CountDistinct(keys, rows);
            bool mirror = KernelMapBuilder.IsOdd(kernel) && distinct == rows;
            var columns = NeighbourColumns.Create(kernel, dilation, keyer, negativeHalfOnly: mirror);
            if (mirror && rowOfKey is null && grown is not null)
            {
                PairLists pairs = new MirrorPairJoin(keys, rows, kernel, columns).Run();
                TensorPool.RecycleArray(keys);
                return new KernelMap(rows, rows, volume, pairs) { MirrorSymmetric = true };
            }

            int[] map = TensorPool.RentArray<int>(KernelMapBuilder.MapLength(rows, volume));

            // Only hits are written, so every entry starts at -1 (mirror entries are written by other rows).
            ParallelWork.For(
                rows * volume, ParallelChunk * volume, (start, end) => map.AsSpan(start, end - start).Fill(-1));
            fixed (int* target = map)
            {
                var builder = new SubmanifoldMapBuilder(
                    source, target, keys, rows, rowOfKey, keyer, columns, volume, mirror, unique: distinct == rows);
                ParallelWork.For(rows, ParallelChunk, builder.JoinRows);
            }

            TensorPool.RecycleArray(keys);
            return new KernelMap(rows, rows, volume, map) { MirrorSymmetric = mirror };
        }
    }

    // The key of every row (in the first rows entries of Keys, a pooled array) and, unless the rows are already in
    // key order, the stable key order of the rows. Keys is null when some row has a negative batch or lies outside
    // the key space; OutsideRow is the first such row.
    private static (long[]? Keys, int[]? RowOfKey, int OutsideRow) SortedKeys(
        int* coords, int rows, CoordinateKeyer keyer)
    {
        long[] keys = TensorPool.RentArray<long>(rows + 1);
        int outsideRow = int.MaxValue;
        ParallelWork.For(rows, ParallelChunk, (start, end) =>
        {
            for (int row = start; row < end; row++)
            {
                int* c = coords + (row * 4L);
                if (c[0] < 0 || !keyer.Contains(c[0], c[1], c[2], c[3]))
                {
                    InterlockedMin(ref outsideRow, row);
                    return;
                }

                keys[row] = keyer.Encode(c[0], c[1], c[2], c[3]);
            }
        });
        if (outsideRow != int.MaxValue)
        {
            return (null, null, outsideRow);
        }

        int unsortedAt = -1;
        for (int row = 1; row < rows && unsortedAt < 0; row++)
        {
            unsortedAt = keys[row] < keys[row - 1] ? row : -1;
        }

        if (unsortedAt < 0)
        {
            return (keys, null, -1);
        }

        // Inputs from quantize and from strided builds come sorted; other inputs are sorted on exact-length arrays.
        long[] sorted = keys.AsSpan(0, rows).ToArray();
        TensorPool.RecycleArray(keys);
        int[] rowOfKey = new int[rows];
        for (int row = 0; row < rows; row++)
        {
            rowOfKey[row] = row;
        }

        KeySort.SortByKey(sorted, rowOfKey, keyer.KeyCount);
        return (sorted, rowOfKey, -1);
    }

    private static void InterlockedMin(ref int target, int value)
    {
        int seen = Volatile.Read(ref target);
        while (value < seen)
        {
            int previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    private static int CountDistinct(long[] sortedKeys, int count)
    {
        int distinct = count > 0 ? 1 : 0;
        for (int at = 1; at < count; at++)
        {
            distinct += sortedKeys[at] != sortedKeys[at - 1] ? 1 : 0;
        }

        return distinct;
    }

    // Joins the rows at sorted positions [start, end). Only hits are written (entries start at -1). A duplicated
    // key's first position holds its smallest row (the sort is stable), and later copies are skipped.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void JoinRows(int start, int end)
    {
        if (start >= end)
        {
            return;
        }

        long[] keys = sortedKeys;
        long[] low = columns.Low, high = columns.High;
        int[] lookup = columns.Lookup;
        int columnCount = columns.Count;
        int[] anchors = new int[columnCount];
        int[] lookupStarts = new int[columnCount];
        for (int column = 0; column < columnCount; column++)
        {
            anchors[column] = SortedSearch.LowerBound<long>(keys.AsSpan(0, rows), keys[start] + low[column]);
            lookupStarts[column] = columns.LookupStart(column);
        }

        fixed (long* sorted = keys)
        fixed (long* lowKey = low)
        fixed (long* highKey = high)
        fixed (int* offsets = lookup)
        fixed (int* starts = lookupStarts)
        fixed (int* anchor = anchors)
        {
            var pinned = new PinnedJoin(sorted, lowKey, highKey, offsets, starts, anchor);
            for (int at = start; at < end; at++)
            {
                int row = rowOfKey is null ? at : rowOfKey[at];
                int* c = coords + (row * 4L);
                if (unique && columns.IsInterior(c))
                {
                    JoinInteriorRow(pinned, at, row);
                }
                else
                {
                    JoinRow(at, row, c, anchors);
                }
            }
        }
    }

    // One column of a row whose neighbours all stay inside the key space: moves the column's pointer up to the
    // row's range and records every key in it. Returns the pointer for the next row.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Column(
        long* keys, int count, int q, long first, long last, int* lookup, int* entries, int row)
    {
        while (q < count && keys[q] < first)
        {
            q++;
        }

        for (int p = q; p < count && keys[p] <= last; p++)
        {
            int k = lookup[keys[p] - first];
            if (k >= 0)
            {
                Hit(entries, k, rowOfKey is null ? p : rowOfKey[p], row);
            }
        }

        return q;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Hit(int* entries, int k, int neighbour, int row)
    {
        entries[k] = neighbour;
        if (mirror)
        {
            map[(neighbour * (long)volume) + volume - 1 - k] = row;
        }
    }

    // A row over unique keys whose neighbours all stay inside the key space: every key in a column's range is a
    // neighbour, with no edge or duplicate checks (about 7% faster over a LiDAR scan, where nearly all rows are
    // interior).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void JoinInteriorRow(PinnedJoin join, int at, int row)
    {
        long* keys = join.Keys;
        long* low = join.Low;
        long* high = join.High;
        int* lookup = join.Lookup;
        int* starts = join.LookupStarts;
        int* anchors = join.Anchors;
        int count = rows, columnCount = belowOffset >= 0 ? columns.Count - 1 : columns.Count;
        long key = keys[at];
        int* entries = map + (row * (long)volume);
        if (belowOffset >= 0 && at > 0 && keys[at - 1] == key - 1)
        {
            Hit(entries, belowOffset, rowOfKey is null ? at - 1 : rowOfKey[at - 1], row);
        }

        for (int column = 0; column < columnCount; column++)
        {
            anchors[column] = Column(
                keys, count, anchors[column], key + low[column], key + high[column], lookup + starts[column], entries,
                row);
        }

        if (mirror)
        {
            entries[volume / 2] = row;
        }
    }

    // Any row: neighbours past the key space's edge (where key + delta wraps onto another coordinate's key) and
    // later copies of a duplicated key are skipped one by one.
    private void JoinRow(int at, int row, int* c, int[] anchors)
    {
        long[] keys = sortedKeys;
        long[] low = columns.Low, high = columns.High;
        int[] lookup = columns.Lookup;
        int count = rows, columnCount = columns.Count, centre = volume / 2;
        long key = keys[at];
        bool interior = columns.IsInterior(c);
        int* entries = map + (row * (long)volume);
        for (int column = 0; column < columnCount; column++)
        {
            long first = key + low[column], last = key + high[column];
            int q = anchors[column];
            while (q < count && keys[q] < first)
            {
                q++;
            }

            anchors[column] = q;
            int lookupStart = columns.LookupStart(column);
            for (int from = q; q < count && keys[q] <= last; q++)
            {
                long distance = keys[q] - first;
                int k = lookup[lookupStart + (int)distance];
                bool duplicate = q > from && keys[q] == keys[q - 1];
                if (k < 0 || duplicate || (!interior && !columns.Contains(c, column, distance, keyer)))
                {
                    continue;
                }

                Hit(entries, k, rowOfKey is null ? q : rowOfKey[q], row);
            }
        }

        if (mirror)
        {
            entries[centre] = row;
        }
    }

    /// <summary>The join's arrays, pinned for one chunk of rows.</summary>
    private readonly struct PinnedJoin(long* keys, long* low, long* high, int* lookup, int* lookupStarts, int* anchors)
    {
        public long* Keys { get; } = keys;

        public long* Low { get; } = low;

        public long* High { get; } = high;

        public int* Lookup { get; } = lookup;

        public int* LookupStarts { get; } = lookupStarts;

        public int* Anchors { get; } = anchors;
    }
}
