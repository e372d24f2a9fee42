using System.Runtime.CompilerServices;
namespace TorchSparse.Backends.Cpu.Conv;

/// <summary>
/// Offset by offset, the micro-kernel reads input rows and updates output rows through the pair list directly:
/// nothing is gathered into a buffer. Offsets run in order, and within one offset every output row appears once,
/// so threads never touch the same row at the same time.
/// </summary>
internal static unsafe class FetchOnDemand
{
    private const int ChunkPairs = 512;

    public static void Run(ConvJob job)
    {
        CpuSparseConv.ClearOutput(job);

        KernelMaps.PairLists pairs = job.Map.Pairs;
        fixed (int* inputs = pairs.Inputs)
        fixed (int* outputRows = pairs.Outputs)
        {
            int* inRows = inputs;
            int* outRows = outputRows;
            for (int k = 0; k < job.Map.Volume; k++)
            {
                int first = pairs.Offsets[k];
                int size = pairs.Size(k);
                PackedMatrix weight = job.Weights[k];
                int chunks = (size + ChunkPairs - 1) / ChunkPairs;
                Parallel.For(0, chunks, CpuParallel.Options,
                    [MethodImpl(MethodImplOptions.AggressiveOptimization)] (chunk) =>
                {
                    int start = first + (chunk * ChunkPairs);
                    int count = Math.Min(ChunkPairs, first + size - start);
                    Gemm.MultiplyRowsIndirect(job.Input, job.Cin, inRows + start, job.Output, job.Cout, outRows + start,
                        count, weight);
                });
            }
        }
    }
}
