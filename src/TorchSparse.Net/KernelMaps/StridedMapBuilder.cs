using TorchSparse.Autograd;
using TorchSparse.Coordinates;

namespace TorchSparse.KernelMaps;

/// <summary>How a strided or generative map relates an input coordinate c to an output coordinate o on one
/// axis.</summary>
internal enum StridedRule
{
    /// <summary>c = o*s - p + j*d with 0 &lt;= o &lt;= (cmax + 2p - d(k-1)) / s (dense conv3d).</summary>
    Spconv,

    /// <summary>c = o*s + displacement(j); outputs are unique(floor(c / s)).</summary>
    Minkowski,

    /// <summary>c = o*s - p + j*d (the dense-conv map) with outputs unique(floor(c / s)): TorchSparse 2.1 when the
    /// stride is 1 or the kernel size on every axis.</summary>
    FloorDense,

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
internal static unsafe class StridedMapBuilder
{
    private const int ParallelChunk = 8192;

    public static (KernelMap Map, int[] OutCoords) Build(
        ReadOnlySpan<int> coords, StridedRule rule, Int3 kernel, Int3 stride, Int3 dilation, Int3 padding)
    {
        if (coords.Length % 4 != 0)
        {
            throw new ShapeMismatchException($"coordinates must be flat [N*4] (b, x, y, z); got {coords.Length} ints.");
        }

        int rows = coords.Length / 4;
        int volume = kernel.Volume;
        (Coordinate min, Coordinate max) = CoordinateKeyer.Bounds(coords);
        StridedAxis[]? axes = rows == 0
            ? null
            : StridedAxis.ForCoords(coords, min, max, rule, kernel, stride, dilation, padding);
        if (axes is null || Array.Exists(axes, a => a.OutMax < a.OutMin))
        {
            return (new KernelMap(rows, 0, volume, []), []);
        }

        var outKeyer = new CoordinateKeyer(
            new Coordinate(min.Batch, (int)axes[0].OutMin, (int)axes[1].OutMin, (int)axes[2].OutMin),
            new Coordinate(max.Batch, (int)axes[0].OutMax, (int)axes[1].OutMax, (int)axes[2].OutMax));
        var layout = new PayloadLayout(rows, volume);
        int keyBits = KeySort.BitLength(outKeyer.KeyCount - 1);
        fixed (int* pinned = coords)
        {
            var generator = new CandidateGenerator(pinned, axes, kernel, outKeyer, layout);
            int chunks = ParallelWork.ChunkCount(rows, ParallelChunk);
            var chunkStarts = new long[chunks + 1];
            long uniform = (long)axes[0].UniformPairs * axes[1].UniformPairs * axes[2].UniformPairs;
            if (Array.TrueForAll(axes, a => a.UniformPairs >= 0))
            {
                // Every row has the same number of candidates (the common k = s downsample and generative layers):
                // where each chunk starts is known without a counting pass.
                for (int chunk = 0; chunk <= chunks; chunk++)
                {
                    chunkStarts[chunk] = ParallelWork.ChunkStart(rows, chunks, chunk) * uniform;
                }
            }
            else
            {
                ParallelWork.ForEachChunk(
                    rows, chunks, (chunk, start, end) => chunkStarts[chunk + 1] = generator.Count(start, end));
                for (int chunk = 0; chunk < chunks; chunk++)
                {
                    chunkStarts[chunk + 1] += chunkStarts[chunk];
                }
            }

            if (chunkStarts[chunks] > Array.MaxLength)
            {
                throw new SparseEngineException(
                    $"{rule} map over {rows} inputs with kernel {kernel} has {chunkStarts[chunks]} candidate pairs, "
                    + "more than one array holds.");
            }

            int total = (int)chunkStarts[chunks];
            var walk = new GroupWalk(pinned, axes, kernel, layout, markAllOutputs: !StridedAxis.MarksFloorCells(rule));
            var job = new Job(generator, walk, rows, chunks, chunkStarts, outKeyer.KeyCount);
            if (!PackedCandidates.Fits(layout.Bits, keyBits))
            {
                return job.Run(new SplitCandidates(
                    GC.AllocateUninitializedArray<long>(total), GC.AllocateUninitializedArray<long>(total)));
            }

            long[] candidates = TensorPool.RentArray<long>(total);
            (KernelMap, int[]) built = job.Run(new PackedCandidates(candidates, total, layout.Bits, keyBits));
            TensorPool.RecycleArray(candidates);
            return built;
        }
    }

    private sealed record Job(
        CandidateGenerator Generator, GroupWalk Walk, int Rows, int Chunks, long[] ChunkStarts, long KeyCount)
    {
        public (KernelMap Map, int[] OutCoords) Run<TStore>(TStore store)
            where TStore : struct, ICandidateStore
        {
            ParallelWork.ForEachChunk(
                Rows, Chunks, (chunk, start, end) => Generator.Fill(start, end, store, ChunkStarts[chunk]));
            store.Sort(KeyCount);
            return Walk.Collect(store, Rows);
        }
    }
}
