using System.Runtime.CompilerServices;
using TorchSparse.KernelMaps;

namespace TorchSparse.Backends.Cpu.Conv;

/// <summary>
/// The classic sparse-conv dataflow: per offset, gather the input rows into a dense block, one dense GEMM, then
/// scatter-add into the output. Offsets with similar workloads are grouped (TorchSparse's adaptive grouping) and a
/// group runs as one batched launch over (offset, row block) tasks. Work is processed in bounded row batches so the
/// gathered buffers stay small. A submanifold map's centre offset is the identity: its GEMM writes the output
/// directly and needs neither gather nor scatter.
/// </summary>
internal static unsafe class GatherScatter
{
    private const int BlockRows = 1024;
    private const long BatchBytes = 8L << 20;

    public static void Run(ConvJob job, double epsilon)
    {
        KernelMap map = job.Map;
        PairLists pairs = map.Pairs;
        int centre = IdentityOffset(map);
        if (centre >= 0)
        {
            Gemm.Multiply(job.Input, job.Cin, job.Weights[centre], job.Output, job.Cout, map.OutputCount, accumulate: false);
        }
        else
        {
            CpuSparseConv.ClearOutput(job);
        }

        int batchRows = (int)Math.Max(BlockRows, BatchBytes / (4L * (job.Cin + job.Cout)));
        float[] gathered = GC.AllocateUninitializedArray<float>(batchRows * job.Cin);
        float[] products = GC.AllocateUninitializedArray<float>(batchRows * job.Cout);
        var segments = new List<Segment>();
        foreach (int[] group in Groups(pairs, map.Volume, centre, epsilon))
        {
            int used = 0;
            foreach (int k in group)
            {
                for (int start = 0; start < pairs.Size(k); start += BlockRows)
                {
                    int count = Math.Min(BlockRows, pairs.Size(k) - start);
                    if (used + count > batchRows)
                    {
                        RunBatch(job, pairs, segments, gathered, products);
                        segments.Clear();
                        used = 0;
                    }

                    segments.Add(new Segment(k, pairs.Offsets[k] + start, count, used));
                    used += count;
                }
            }

            RunBatch(job, pairs, segments, gathered, products);
            segments.Clear();
        }
    }

    /// <summary>
    /// Groups offsets by workload: sorted by pair count (descending, ties by index), a group grows while its smallest
    /// member is within <paramref name="epsilon"/> of its largest.
    /// </summary>
    internal static List<int[]> Groups(PairLists pairs, int volume, int skip, double epsilon)
    {
        int[] order = Enumerable.Range(0, volume).Where(k => k != skip && pairs.Size(k) > 0)
            .OrderByDescending(pairs.Size).ThenBy(k => k).ToArray();
        var groups = new List<int[]>();
        var current = new List<int>();
        foreach (int k in order)
        {
            if (current.Count > 0 && 1.0 - ((double)pairs.Size(k) / pairs.Size(current[0])) > epsilon)
            {
                groups.Add([.. current]);
                current.Clear();
            }

            current.Add(k);
        }

        if (current.Count > 0)
        {
            groups.Add([.. current]);
        }

        return groups;
    }

    private static void RunBatch(ConvJob job, PairLists pairs, List<Segment> segments, float[] gathered, float[] products)
    {
        if (segments.Count == 0)
        {
            return;
        }

        Segment[] tasks = [.. segments];
        fixed (float* gatherBase = gathered)
        fixed (float* productBase = products)
        {
            float* a = gatherBase;
            float* c = productBase;
            Parallel.For(0, tasks.Length, CpuParallel.Options,
                [MethodImpl(MethodImplOptions.AggressiveOptimization)] (t) =>
            {
                Segment s = tasks[t];
                float* rows = a + ((long)s.BufferRow * job.Cin);
                for (int r = 0; r < s.Count; r++)
                {
                    long source = (long)pairs.Inputs[s.Pair + r] * job.Cin;
                    new ReadOnlySpan<float>(job.Input + source, job.Cin).CopyTo(new Span<float>(rows + ((long)r * job.Cin), job.Cin));
                }

                Gemm.Multiply(rows, job.Cin, job.Weights[s.Offset], c + ((long)s.BufferRow * job.Cout), job.Cout, s.Count,
                    accumulate: false, maxThreads: 1);
            });

            // Scatter in task order: within one offset outputs are unique, so blocks of one offset run in parallel,
            // and offsets follow each other in a fixed order (the same bits for any thread count).
            int first = 0;
            while (first < tasks.Length)
            {
                int last = first;
                while (last + 1 < tasks.Length && tasks[last + 1].Offset == tasks[first].Offset)
                {
                    last++;
                }

                Parallel.For(first, last + 1, CpuParallel.Options,
                    [MethodImpl(MethodImplOptions.AggressiveOptimization)] (t) =>
                {
                    Segment s = tasks[t];
                    float* src = c + ((long)s.BufferRow * job.Cout);
                    for (int r = 0; r < s.Count; r++)
                    {
                        float* dst = job.Output + ((long)pairs.Outputs[s.Pair + r] * job.Cout);
                        var row = new Span<float>(dst, job.Cout);
                        CpuOps.Add(row, new ReadOnlySpan<float>(src + ((long)r * job.Cout), job.Cout), row);
                    }
                });
                first = last + 1;
            }
        }
    }

    /// <summary>The offset that maps every output row to the same input row (submanifold centre), or -1.</summary>
    private static int IdentityOffset(KernelMap map)
    {
        if (map.InputCount != map.OutputCount || map.Volume % 2 == 0)
        {
            return -1;
        }

        int centre = map.Volume / 2;
        ReadOnlySpan<int> table = map.OutInMap;
        for (int o = 0; o < map.OutputCount; o++)
        {
            if (table[(o * map.Volume) + centre] != o)
            {
                return -1;
            }
        }

        return centre;
    }

    private readonly record struct Segment(int Offset, int Pair, int Count, int BufferRow);
}
