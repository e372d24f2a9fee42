using TorchSparse.Coordinates;

namespace TorchSparse.KernelMaps;

/// <summary>How a strided or generative map relates an input coordinate c to an output coordinate o on one axis.</summary>
internal enum StridedRule
{
    /// <summary>c = o*s - p + j*d with 0 &lt;= o &lt;= (cmax + 2p - d(k-1)) / s (dense conv3d).</summary>
    Spconv,

    /// <summary>c = o*s + displacement(j); outputs are unique(floor(c / s)).</summary>
    Minkowski,

    /// <summary>o = c*s - p + j*d, kept where o &gt;= 0 (dense conv_transpose3d).</summary>
    Generative,
}

/// <summary>
/// Builds strided and generative maps by sorting: every (input, offset) pair that reaches an output cell becomes a
/// candidate keyed by the cell's exact linearised coordinate; a stable radix sort groups candidates by cell in
/// (b, x, y, z) order, and one walk over the groups numbers the outputs and fills the map. Candidates are generated
/// in input-row order and the sort is stable, so a duplicated input coordinate resolves to its smallest row, and the
/// result does not depend on the thread count.
/// </summary>
internal static class StridedMapBuilder
{
    private const int ParallelChunk = 8192;

    public static unsafe (KernelMap Map, int[] OutCoords) Build(
        ReadOnlySpan<int> coords, StridedRule rule, Int3 kernel, Int3 stride, Int3 dilation, Int3 padding)
    {
        if (coords.Length % 4 != 0)
        {
            throw new ShapeMismatchException($"coordinates must be flat [N*4] (b, x, y, z); got {coords.Length} ints.");
        }

        int rows = coords.Length / 4;
        int volume = kernel.Volume;
        StridedAxis[]? axes = rows == 0 ? null : StridedAxis.ForCoords(coords, rule, kernel, stride, dilation, padding);
        if (axes is null || Array.Exists(axes, a => a.OutMax < a.OutMin))
        {
            return (new KernelMap(rows, 0, volume, []), []);
        }

        CoordinateKeyer outKeyer = OutputKeyer(coords, axes);
        fixed (int* pinned = coords)
        {
            var generator = new CandidateGenerator(pinned, axes, kernel, outKeyer);
            int chunks = ParallelWork.ChunkCount(rows, ParallelChunk);
            var chunkStarts = new long[chunks + 1];
            ParallelWork.ForEachChunk(rows, chunks, (chunk, start, end) =>
                chunkStarts[chunk + 1] = generator.Generate(start, end, null, null, 0));
            for (int chunk = 0; chunk < chunks; chunk++)
            {
                chunkStarts[chunk + 1] += chunkStarts[chunk];
            }

            if (chunkStarts[chunks] > Array.MaxLength)
            {
                throw new SparseEngineException(
                    $"{rule} map over {rows} inputs with kernel {kernel} has {chunkStarts[chunks]} candidate pairs, "
                    + "more than one array holds.");
            }

            long[] keys = GC.AllocateUninitializedArray<long>((int)chunkStarts[chunks]);
            long[] payloads = GC.AllocateUninitializedArray<long>(keys.Length);
            ParallelWork.ForEachChunk(rows, chunks, (chunk, start, end) =>
                generator.Generate(start, end, keys, payloads, (int)chunkStarts[chunk]));
            KeySort.SortByKey(keys, payloads, outKeyer.KeyCount);
            return Collect(keys, payloads, rows, volume, outKeyer, markAllOutputs: rule != StridedRule.Minkowski);
        }
    }

    private static CoordinateKeyer OutputKeyer(ReadOnlySpan<int> coords, StridedAxis[] axes)
    {
        int minBatch = int.MaxValue, maxBatch = int.MinValue;
        for (int at = 0; at < coords.Length; at += 4)
        {
            minBatch = Math.Min(minBatch, coords[at]);
            maxBatch = Math.Max(maxBatch, coords[at]);
        }

        return new CoordinateKeyer(
            new Coordinate(minBatch, (int)axes[0].OutMin, (int)axes[1].OutMin, (int)axes[2].OutMin),
            new Coordinate(maxBatch, (int)axes[0].OutMax, (int)axes[1].OutMax, (int)axes[2].OutMax));
    }

    // Walks the sorted candidates group by group (one group per output cell). The array is cut into chunks at group
    // boundaries; the first pass counts outputs per chunk, the second numbers them from the chunk's prefix.
    private static (KernelMap Map, int[] OutCoords) Collect(
        long[] keys, long[] payloads, int rows, int volume, CoordinateKeyer outKeyer, bool markAllOutputs)
    {
        int chunks = ParallelWork.ChunkCount(keys.Length, ParallelChunk);
        var bounds = new int[chunks + 1];
        for (int chunk = 1; chunk <= chunks; chunk++)
        {
            int at = Math.Max(ParallelWork.ChunkStart(keys.Length, chunks, chunk), bounds[chunk - 1]);
            while (at > 0 && at < keys.Length && keys[at] == keys[at - 1])
            {
                at++;
            }

            bounds[chunk] = at;
        }

        var firstRank = new int[chunks + 1];
        ParallelWork.ForEachChunk(chunks, chunks, (chunk, _, _) =>
        {
            int outputs = 0;
            for (int at = bounds[chunk]; at < bounds[chunk + 1]; at = GroupEnd(keys, at))
            {
                outputs += markAllOutputs || IsOutput(payloads, at, GroupEnd(keys, at)) ? 1 : 0;
            }

            firstRank[chunk + 1] = outputs;
        });
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            firstRank[chunk + 1] += firstRank[chunk];
        }

        int outputCount = firstRank[chunks];
        int[] outCoords = GC.AllocateUninitializedArray<int>(checked(outputCount * 4));
        int[] map = GC.AllocateUninitializedArray<int>(KernelMapBuilder.MapLength(outputCount, volume));
        ParallelWork.ForEachChunk(chunks, chunks, (chunk, _, _) =>
        {
            int rank = firstRank[chunk];
            for (int at = bounds[chunk]; at < bounds[chunk + 1];)
            {
                int end = GroupEnd(keys, at);
                if (markAllOutputs || IsOutput(payloads, at, end))
                {
                    outKeyer.Decode(keys[at], outCoords.AsSpan(rank * 4, 4));
                    Span<int> entries = map.AsSpan(rank * volume, volume);
                    entries.Fill(-1);
                    for (; at < end; at++)
                    {
                        long code = payloads[at] < 0 ? ~payloads[at] : payloads[at];
                        long input = Math.DivRem(code, volume + 1, out long slot);

                        // Slot 0 only marks the cell as an output. Otherwise the first candidate (smallest input row,
                        // by the stable sort) wins over duplicated input coordinates.
                        if (slot > 0 && entries[(int)slot - 1] < 0)
                        {
                            entries[(int)slot - 1] = (int)input;
                        }
                    }

                    rank++;
                }

                at = end;
            }
        });

        return (new KernelMap(rows, outputCount, volume, map), outCoords);
    }

    private static int GroupEnd(long[] keys, int start)
    {
        int end = start + 1;
        while (end < keys.Length && keys[end] == keys[start])
        {
            end++;
        }

        return end;
    }

    // A Minkowski output exists only where some input floors to it; those candidates carry a negative payload.
    private static bool IsOutput(long[] payloads, int start, int end)
    {
        for (int at = start; at < end; at++)
        {
            if (payloads[at] < 0)
            {
                return true;
            }
        }

        return false;
    }
}
