using System.Runtime.CompilerServices;
using TorchSparse.Coordinates;

namespace TorchSparse.KernelMaps;

/// <summary>
/// Walks sorted strided-map candidates group by group (one group per output cell) and numbers the outputs in key
/// order, which is (b, x, y, z) order. The candidates are cut into chunks at group boundaries; the first pass counts
/// outputs per chunk, the second numbers them from the chunk's prefix and fills coordinates and map rows.
/// </summary>
internal sealed unsafe class GroupWalk
{
    private const int ParallelChunk = 16384;

    private readonly int* coords;
    private readonly StridedAxis[] axes;
    private readonly int volume;
    private readonly PayloadLayout layout;
    private readonly bool markAllOutputs;

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
        ParallelWork.ForEachChunk(chunks, chunks, (chunk, _, _) =>
        {
            int outputs = 0;
            for (int at = bounds[chunk]; at < bounds[chunk + 1];)
            {
                int end = GroupEnd(store, at);
                outputs += IsOutput(store, at, end) ? 1 : 0;
                at = end;
            }

            firstRank[chunk + 1] = outputs;
        });
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            firstRank[chunk + 1] += firstRank[chunk];
        }

        int outputCount = firstRank[chunks];
        int[] outCoords = GC.AllocateUninitializedArray<int>(checked(outputCount * 4));
        int[] map = Autograd.TensorPool.RentArray<int>(KernelMapBuilder.MapLength(outputCount, volume));
        ParallelWork.ForEachChunk(chunks, chunks, (chunk, _, _) =>
            Number(store, bounds[chunk], bounds[chunk + 1], firstRank[chunk], outCoords, map));
        return (new KernelMap(rows, outputCount, volume, map), outCoords);
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
    private void Number<TStore>(TStore store, int start, int stop, int rank, int[] outCoords, int[] map)
        where TStore : struct, ICandidateStore
    {
        for (int at = start; at < stop;)
        {
            int end = GroupEnd(store, at);
            if (IsOutput(store, at, end))
            {
                WriteCoordinate(store.Payload(at), outCoords.AsSpan(rank * 4, 4));
                Span<int> entries = map.AsSpan(rank * volume, volume);
                entries.Fill(-1);
                for (; at < end; at++)
                {
                    long payload = store.Payload(at);
                    int slot = layout.Slot(payload);

                    // Slot 0 only marks the cell as an output. Otherwise the first candidate, which is the smallest
                    // input row by the stable sort, wins over duplicated input coordinates.
                    if (slot > 0 && entries[slot - 1] < 0)
                    {
                        entries[slot - 1] = layout.Row(payload);
                    }
                }

                rank++;
            }

            at = end;
        }
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
