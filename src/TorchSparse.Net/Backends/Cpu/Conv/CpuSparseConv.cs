using TorchSparse.Conv;
using TorchSparse.KernelMaps;

namespace TorchSparse.Backends.Cpu.Conv;

/// <summary>
/// Sparse convolution on the CPU: out[o] = sum over offsets k of in[map(o, k)] * W[k].
/// Every dataflow gives the same bits for any thread count: each output row sums its offsets in a fixed order,
/// and threads only ever split rows, never the reduction.
/// </summary>
internal static unsafe class CpuSparseConv
{
    public static void Run(Tensor input, PackedMatrix[] weights, KernelMap map, ConvConfig config, Tensor output)
    {
        int cin = input.Size(1);
        int cout = output.Size(1);
        fixed (float* inPtr = input.AsSpan<float>())
        fixed (float* outPtr = output.AsSpan<float>())
        {
            var job = new ConvJob(inPtr, cin, outPtr, cout, map, weights);
            switch (config.Dataflow)
            {
                case Dataflow.ImplicitGemm:
                    ImplicitGemm.Run(job, config.TileRows, config.SortByMask);
                    break;
                case Dataflow.FetchOnDemand:
                    FetchOnDemand.Run(job);
                    break;
                case Dataflow.GatherScatter:
                    GatherScatter.Run(job, config.GroupEpsilon);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(config), config.Dataflow, "unknown dataflow");
            }
        }
    }

    /// <summary>Clears output rows [start, start + count) in parallel-friendly blocks.</summary>
    internal static void ClearRows(float* output, int cout, int start, int count) =>
        new Span<float>(output + ((long)start * cout), count * cout).Clear();

    /// <summary>Zeroes the whole output, in parallel blocks of rows.</summary>
    internal static void ClearOutput(ConvJob job)
    {
        const int BlockRows = 4096;
        int outputs = job.Map.OutputCount;
        Parallel.For(0, (outputs + BlockRows - 1) / BlockRows, CpuParallel.Options, block =>
            ClearRows(job.Output, job.Cout, block * BlockRows, Math.Min(BlockRows, outputs - (block * BlockRows))));
    }
}

/// <summary>Everything one convolution call needs, passed by value into the dataflow loops.</summary>
internal readonly unsafe struct ConvJob(float* input, int cin, float* output, int cout, KernelMap map, PackedMatrix[] weights)
{
    public readonly float* Input = input;
    public readonly int Cin = cin;
    public readonly float* Output = output;
    public readonly int Cout = cout;
    public readonly KernelMap Map = map;
    public readonly PackedMatrix[] Weights = weights;
}
