using System.Runtime.CompilerServices;
using TorchSparse.Coordinates;

namespace TorchSparse.KernelMaps;

/// <summary>
/// Walks sorted strided-map candidates group by group (one group per output cell) and numbers the outputs in key
/// order, which is (b, x, y, z) order. The candidates are cut into chunks at group boundaries; the first pass counts
/// outputs and pairs per offset per chunk, the second numbers the outputs from the chunk's prefix, fills their
/// coordinates and writes the map's pair lists (groups come in output order, so each list does too); no out-in
/// table is built.
/// </summary>
internal sealed unsafe class GroupWalk
{
    private const int ParallelChunk = 16384;

    private readonly int* coords;
    private readonly StridedAxis[] axes;
    private readonly int volume;
    private readonly PayloadLayout layout;
    private readonly bool markAllOutputs;

    // Whether every group is an output: under a rule without markers, or when every input has one pair and that is
    // its floor cell (kernel = stride), so every candidate marks its cell. Groups then start wherever the key changes,
    // found in the same pass as the pairs.
    private readonly bool everyGroupIsOutput;

    // Offset index per axis of each flat offset, to recompute an output's coordinates from one of its candidates
    // (cheaper than three 64-bit divisions to decode the key).
    private readonly int[] offsetX;
    private readonly int[] offsetY;
    private readonly int[] offsetZ;

    public GroupWalk(int* coords, StridedAxis[] axes, Int3 kernel, PayloadLayout layout, bool markAllOutputs)
    {
        this.coords = coords;
        this.axes = axes;
        this.layout = layout;
        this.markAllOutputs = markAllOutputs;
        everyGroupIsOutput = markAllOutputs || Array.TrueForAll(axes, a => a.UniformPairs == 1);
        volume = kernel.Volume;
        offsetX = new int[volume];
        offsetY = new int[volume];
        offsetZ = new int[volume];
        for (int jx = 0; jx < kernel.X; jx++)
        {
            for (int jy = 0; jy < kernel.Y; jy++)
            {
                for (int jz = 0; jz < kernel.Z; jz++)
                {
                    int k = KernelMapBuilder.FlatOffset(kernel, jx, jy, jz);
                    (offsetX[k], offsetY[k], offsetZ[k]) = (jx, jy, jz);
                }
            }
        }
    }

    public (KernelMap Map, int[] OutCoords) Collect<TStore>(TStore store, int rows)
        where TStore : struct, ICandidateStore
    {
        int count = store.Count;
        int chunks = ParallelWork.ChunkCount(count, ParallelChunk);
        var bounds = new int[chunks + 1];
        for (int chunk = 1; chunk <= chunks; chunk++)
        {
            int at = Math.Max(ParallelWork.ChunkStart(count, chunks, chunk), bounds[chunk - 1]);
            while (at > 0 && at < count && store.Key(at) == store.Key(at - 1))
            {
                at++;
            }

            bounds[chunk] = at;
        }

        var firstRank = new int[chunks + 1];
        var pairCounts = new int[chunks * volume];
        ParallelWork.ForEachChunk(chunks, chunks, (chunk, _, _) => firstRank[chunk + 1] =
            Count(store, bounds[chunk], bounds[chunk + 1], pairCounts.AsSpan(chunk * volume, volume)));
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            firstRank[chunk + 1] += firstRank[chunk];
        }

        int outputCount = firstRank[chunks];
        int[] outCoords = GC.AllocateUninitializedArray<int>(checked(outputCount * 4));
        var (offsets, positions) = PairLists.Place(pairCounts, chunks, volume);
        int[] inputs = Autograd.TensorPool.RentArray<int>(offsets[volume]);
        int[] outputList = Autograd.TensorPool.RentArray<int>(offsets[volume]);
        ParallelWork.ForEachChunk(chunks, chunks, (chunk, _, _) =>
            Number(store, bounds[chunk], bounds[chunk + 1], firstRank[chunk], outCoords,
                positions.AsSpan(chunk * volume, volume), inputs, outputList));
        return (new KernelMap(rows, outputCount, volume, new PairLists(offsets, inputs, outputList)), outCoords);
    }

    // The outputs among candidates [start, stop), and their pairs per offset added to counts.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Count<TStore>(TStore store, int start, int stop, Span<int> counts)
        where TStore : struct, ICandidateStore
    {
        int[] lastGroup = NoGroups();
        int outputs = 0;
        if (everyGroupIsOutput)
        {
            long previous = -1;
            for (int at = start; at < stop; at++)
            {
                long key = store.Key(at);
                outputs += key != previous ? 1 : 0;
                previous = key;
                CountPair(store.Payload(at), outputs, lastGroup, counts);
            }

            return outputs;
        }

        for (int at = start; at < stop;)
        {
            int end = GroupEnd(store, at);
            if (IsOutput(store, at, end))
            {
                outputs++;
                for (; at < end; at++)
                {
                    CountPair(store.Payload(at), outputs, lastGroup, counts);
                }
            }

            at = end;
        }

        return outputs;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CountPair(long payload, int group, int[] lastGroup, Span<int> counts)
    {
        int k = FirstOfOffset(payload, group, lastGroup);
        if (k >= 0)
        {
            counts[k]++;
        }
    }

    private static int GroupEnd<TStore>(TStore store, int start)
        where TStore : struct, ICandidateStore
    {
        long key = store.Key(start);
        int end = start + 1;
        while (end < store.Count && store.Key(end) == key)
        {
            end++;
        }

        return end;
    }

    private bool IsOutput<TStore>(TStore store, int start, int end)
        where TStore : struct, ICandidateStore
    {
        for (int at = start; at < end && !markAllOutputs; at++)
        {
            if (layout.MarksOutput(store.Payload(at)))
            {
                return true;
            }
        }

        return markAllOutputs;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Number<TStore>(
        TStore store, int start, int stop, int rank, int[] outCoords, Span<int> next, int[] inputs, int[] outputs)
        where TStore : struct, ICandidateStore
    {
        int[] lastGroup = NoGroups();
        if (everyGroupIsOutput)
        {
            NumberEveryGroup(store, start, stop, rank, outCoords, next, inputs, outputs, lastGroup);
            return;
        }

        for (int at = start; at < stop;)
        {
            int end = GroupEnd(store, at);
            if (IsOutput(store, at, end))
            {
                WriteCoordinate(store.Payload(at), outCoords.AsSpan(rank * 4, 4));
                for (; at < end; at++)
                {
                    WritePair(store.Payload(at), rank, lastGroup, next, inputs, outputs);
                }

                rank++;
            }

            at = end;
        }
    }

    // Number when every group is an output: a new output wherever the key changes.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void NumberEveryGroup<TStore>(
        TStore store, int start, int stop, int rank, int[] outCoords, Span<int> next, int[] inputs, int[] outputs,
        int[] lastGroup)
        where TStore : struct, ICandidateStore
    {
        rank--;
        long previous = -1;
        for (int at = start; at < stop; at++)
        {
            long key = store.Key(at);
            long payload = store.Payload(at);
            if (key != previous)
            {
                rank++;
                previous = key;
                WriteCoordinate(payload, outCoords.AsSpan(rank * 4, 4));
            }

            WritePair(payload, rank, lastGroup, next, inputs, outputs);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WritePair(long payload, int rank, int[] lastGroup, Span<int> next, int[] inputs, int[] outputs)
    {
        int k = FirstOfOffset(payload, rank, lastGroup);
        if (k >= 0)
        {
            int pair = next[k]++;
            inputs[pair] = layout.Row(payload);
            outputs[pair] = rank;
        }
    }

    // Per offset, the last group (output) that had a pair there, for FirstOfOffset.
    private int[] NoGroups()
    {
        var lastGroup = new int[volume];
        Array.Fill(lastGroup, -1);
        return lastGroup;
    }

    // The offset whose list a candidate of output group `group` adds a pair to, or -1: slot 0 only marks the cell as
    // an output, and a later candidate at an offset the group already has is a duplicated input coordinate, where the
    // first (smallest row, by the stable sort) wins.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int FirstOfOffset(long payload, int group, int[] lastGroup)
    {
        int slot = layout.Slot(payload);
        int k = slot - 1;
        if (slot == 0 || lastGroup[k] == group)
        {
            return -1;
        }

        lastGroup[k] = group;
        return k;
    }

    private void WriteCoordinate(long payload, Span<int> destination)
    {
        int* c = coords + (layout.Row(payload) * 4L);
        int slot = layout.Slot(payload);
        destination[0] = c[0];
        if (slot == 0)
        {
            destination[1] = (int)axes[0].FloorCell(c[1]);
            destination[2] = (int)axes[1].FloorCell(c[2]);
            destination[3] = (int)axes[2].FloorCell(c[3]);
        }
        else
        {
            destination[1] = (int)axes[0].OutputOf(c[1], offsetX[slot - 1]);
            destination[2] = (int)axes[1].OutputOf(c[2], offsetY[slot - 1]);
            destination[3] = (int)axes[2].OutputOf(c[3], offsetZ[slot - 1]);
        }
    }
}
