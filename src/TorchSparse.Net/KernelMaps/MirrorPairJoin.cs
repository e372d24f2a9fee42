using System.Runtime.CompilerServices;
using TorchSparse.Autograd;
using TorchSparse.Coordinates;

namespace TorchSparse.KernelMaps;

/// <summary>
/// The common submanifold case (an odd kernel over unique rows in key order, as quantize and strided builds give
/// them) joined straight into pair lists, with no out-in table: the table is 27 ints per row that would be filled,
/// joined into and read back once more for the lists, while the pairs are about a third of that. The join visits
/// one offset of each mirror pair; each chunk of rows appends (input, output) to its own segment per such offset,
/// and the segments are then copied into place twice: as found, and swapped for the mirrored offset. With rows in
/// key order both copies come out in ascending output order, as <see cref="PairLists"/> requires: for a fixed offset
/// the neighbour's row rises with the row.
/// </summary>
internal sealed unsafe class MirrorPairJoin
{
    private const int ParallelChunk = 4096;

    // Sorted unique keys of the rows, then long.MaxValue at [rows], which stops every forward scan.
    private readonly long[] keys;
    private readonly int rows;
    private readonly int volume;
    private readonly int chunks;
    private readonly int capacity;
    private readonly NeighbourColumns columns;

    // Per slot, the flat offset the join visits (lexicographically below zero); the columns' lookup in slots.
    private readonly int[] joined;
    private readonly int[] slotLookup;

    // The key - 1 neighbour's slot when it is alone in the last column: over unique sorted keys that neighbour can
    // only be the previous key, so it is tested without a column pointer. Otherwise -1.
    private readonly int belowSlot = -1;

    /// <param name="keys">The rows' keys, sorted and unique, with room for one more entry.</param>
    /// <param name="rows">Row count.</param>
    /// <param name="kernel">An odd kernel.</param>
    /// <param name="columns">The kernel's offsets below zero, under a keyer whose every row is interior.</param>
    public MirrorPairJoin(long[] keys, int rows, Int3 kernel, NeighbourColumns columns)
    {
        this.keys = keys;
        this.rows = rows;
        this.columns = columns;
        keys[rows] = long.MaxValue;
        volume = kernel.Volume;
        chunks = ParallelWork.ChunkCount(rows, ParallelChunk);
        capacity = (rows + chunks - 1) / chunks;
        joined = JoinedOffsets(kernel);
        var slotOf = new int[volume];
        Array.Fill(slotOf, -1);
        for (int slot = 0; slot < joined.Length; slot++)
        {
            slotOf[joined[slot]] = slot;
        }

        slotLookup = columns.Lookup.Select(k => k < 0 ? -1 : slotOf[k]).ToArray();
        int last = columns.Count - 1;
        if (last >= 0 && columns.Low[last] == -1 && columns.High[last] == -1)
        {
            belowSlot = slotLookup[columns.LookupStart(last)];
        }
    }

    /// <summary>Joins every row and returns the lists: each joined offset's pairs, their mirrors at
    /// Volume - 1 - k, and the centre pairing every row with itself.</summary>
    public PairLists Run()
    {
        int slots = joined.Length;
        int[] segments = TensorPool.RentArray<int>(KernelMapBuilder.MapLength(chunks * capacity, 2 * slots));
        var counts = new int[chunks * slots];
        fixed (long* sorted = keys)
        fixed (int* segment = segments)
        fixed (int* lookup = slotLookup)
        fixed (long* low = columns.Low)
        fixed (long* high = columns.High)
        fixed (int* counted = counts)
        {
            var pinned = new Pinned(sorted, segment, lookup, low, high, counted);
            ParallelWork.ForEachChunk(rows, chunks, (chunk, start, end) => JoinChunk(pinned, chunk, start, end));
        }

        PairLists lists = Place(segments, counts);
        TensorPool.RecycleArray(segments);
        return lists;
    }

    // One chunk's rows: a cursor per slot into the chunk's segments, and a pointer per column that only moves
    // forward through the keys (coord + offset has key + delta, which rises with the row).
    private void JoinChunk(Pinned pinned, int chunk, int start, int end)
    {
        int slots = joined.Length;
        int loopColumns = belowSlot >= 0 ? columns.Count - 1 : columns.Count;
        int** cursors = stackalloc int*[slots];
        int* segmentBase = pinned.Segments + ((long)chunk * slots * capacity * 2);
        for (int slot = 0; slot < slots; slot++)
        {
            cursors[slot] = segmentBase + ((long)slot * capacity * 2);
        }

        int* anchors = stackalloc int[Math.Max(1, loopColumns)];
        int** lookups = stackalloc int*[Math.Max(1, loopColumns)];
        for (int column = 0; column < loopColumns && start < end; column++)
        {
            anchors[column] = SortedSearch.LowerBound<long>(keys.AsSpan(0, rows), keys[start] + columns.Low[column]);
            lookups[column] = pinned.SlotLookup + columns.LookupStart(column);
        }

        JoinRows(pinned.Keys, start, end, loopColumns, pinned.Low, pinned.High, lookups, anchors, belowSlot, cursors);
        for (int slot = 0; slot < slots; slot++)
        {
            pinned.Counts[(chunk * slots) + slot] = (int)((cursors[slot] - segmentBase - ((long)slot * capacity * 2)) / 2);
        }
    }

    // The join proper, with few enough live values that they stay in registers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void JoinRows(
        long* keys, int start, int end, int columnCount, long* low, long* high, int** lookups, int* anchors,
        int belowSlot, int** cursors)
    {
        for (int at = start; at < end; at++)
        {
            long key = keys[at];
            if (belowSlot >= 0 && at > 0 && keys[at - 1] == key - 1)
            {
                Append(cursors, belowSlot, at - 1, at);
            }

            for (int column = 0; column < columnCount; column++)
            {
                long first = key + low[column];
                int q = anchors[column];
                while (keys[q] < first)
                {
                    q++;
                }

                anchors[column] = q;
                long last = key + high[column];
                int* lookup = lookups[column];
                for (; keys[q] <= last; q++)
                {
                    int slot = lookup[keys[q] - first];
                    if (slot >= 0)
                    {
                        Append(cursors, slot, q, at);
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Append(int** cursors, int slot, int input, int output)
    {
        int* cursor = cursors[slot];
        cursor[0] = input;
        cursor[1] = output;
        cursors[slot] = cursor + 2;
    }

    // Copies each chunk's segments into the lists, in chunk order: as found at the joined offset, swapped at its
    // mirror; the centre list pairs every row with itself.
    private PairLists Place(int[] segments, int[] slotCounts)
    {
        int slots = joined.Length, centre = volume / 2;
        var counts = new int[chunks * volume];
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            for (int slot = 0; slot < slots; slot++)
            {
                int found = slotCounts[(chunk * slots) + slot];
                counts[(chunk * volume) + joined[slot]] = found;
                counts[(chunk * volume) + volume - 1 - joined[slot]] = found;
            }

            counts[(chunk * volume) + centre] =
                ParallelWork.ChunkStart(rows, chunks, chunk + 1) - ParallelWork.ChunkStart(rows, chunks, chunk);
        }

        var (offsets, positions) = PairLists.Place(counts, chunks, volume);
        int[] inputs = TensorPool.RentArray<int>(offsets[volume]);
        int[] outputs = TensorPool.RentArray<int>(offsets[volume]);
        ParallelWork.ForEachChunk(rows, chunks, (chunk, start, end) =>
        {
            for (int slot = 0; slot < slots; slot++)
            {
                int pair = ((chunk * slots) + slot) * capacity * 2;
                int at = positions[(chunk * volume) + joined[slot]];
                int mirrorAt = positions[(chunk * volume) + volume - 1 - joined[slot]];
                for (int last = at + slotCounts[(chunk * slots) + slot]; at < last; at++, mirrorAt++, pair += 2)
                {
                    inputs[at] = outputs[mirrorAt] = segments[pair];
                    outputs[at] = inputs[mirrorAt] = segments[pair + 1];
                }
            }

            for (int row = start, at = positions[(chunk * volume) + centre]; row < end; row++, at++)
            {
                inputs[at] = row;
                outputs[at] = row;
            }
        });
        return new PairLists(offsets, inputs, outputs);
    }

    // The flat offsets of an odd kernel that the mirror join visits, in flat order.
    private static int[] JoinedOffsets(Int3 kernel)
    {
        var offsets = new List<int>();
        for (int jx = 0; jx < kernel.X; jx++)
        {
            for (int jy = 0; jy < kernel.Y; jy++)
            {
                for (int jz = 0; jz < kernel.Z; jz++)
                {
                    long x = KernelMapBuilder.Displacement(kernel.X, jx, 1);
                    long y = KernelMapBuilder.Displacement(kernel.Y, jy, 1);
                    long z = KernelMapBuilder.Displacement(kernel.Z, jz, 1);
                    if (KernelMapBuilder.IsBelowZero(x, y, z))
                    {
                        offsets.Add(KernelMapBuilder.FlatOffset(kernel, jx, jy, jz));
                    }
                }
            }
        }

        offsets.Sort();
        return offsets.ToArray();
    }

    /// <summary>The join's arrays, pinned for the parallel chunks.</summary>
    private readonly struct Pinned(long* keys, int* segments, int* slotLookup, long* low, long* high, int* counts)
    {
        public long* Keys { get; } = keys;

        public int* Segments { get; } = segments;

        public int* SlotLookup { get; } = slotLookup;

        public long* Low { get; } = low;

        public long* High { get; } = high;

        public int* Counts { get; } = counts;
    }
}
