using System.Runtime.CompilerServices;
namespace TorchSparse.Backends.Cpu.Conv;

/// <summary>
/// Output-stationary dataflow: a tile of output rows stays hot in cache while every offset's neighbours are gathered
/// straight into the GEMM micro-kernel (row-indirect A and C). Rows without a neighbour at an offset are skipped, so
/// no work is wasted on missing neighbours, nothing is materialised, and there is no scatter and no atomics.
/// With sorting, rows are ordered by their neighbour mask so a tile's rows share offsets and micro-kernel
/// row groups stay full.
/// </summary>
internal static unsafe class ImplicitGemm
{
    [ThreadStatic]
    private static int[]? scratch;

    public static void Run(ConvJob job, int tileRows, bool sortByMask)
    {
        int outputs = job.Map.OutputCount;
        int volume = job.Map.Volume;
        int[] order = sortByMask ? MaskOrder(job.Map) : [];
        int tiles = (outputs + tileRows - 1) / tileRows;
        int[] table = job.Map.RawOutInMap;
        Parallel.For(0, tiles, CpuParallel.Options,
            [MethodImpl(MethodImplOptions.AggressiveOptimization)] (tile) =>
        {
            int start = tile * tileRows;
            int rows = Math.Min(tileRows, outputs - start);
            int[] buffer = Scratch(2 * volume * tileRows);
            fixed (int* listBase = buffer)
            {
                // Per offset, the tile's rows that have a neighbour there: A rows (inputs) and C rows (outputs).
                int* aRows = listBase;
                int* cRows = listBase + (volume * tileRows);
                Span<int> counts = stackalloc int[volume];
                for (int r = 0; r < rows; r++)
                {
                    int o = sortByMask ? order[start + r] : start + r;
                    CpuSparseConv.ClearRows(job.Output, job.Cout, o, 1);
                    int rowBase = o * volume;
                    for (int k = 0; k < volume; k++)
                    {
                        int i = table[rowBase + k];
                        if (i >= 0)
                        {
                            int at = (k * tileRows) + counts[k]++;
                            aRows[at] = i;
                            cRows[at] = o;
                        }
                    }
                }

                for (int k = 0; k < volume; k++)
                {
                    if (counts[k] > 0)
                    {
                        Gemm.MultiplyRowsIndirect(job.Input, job.Cin, aRows + (k * tileRows), job.Output, job.Cout,
                            cRows + (k * tileRows), counts[k], job.Weights[k]);
                    }
                }
            }
        });
    }

    /// <summary>Output rows ordered by neighbour mask (descending, ties by row): deterministic.</summary>
    internal static int[] MaskOrder(KernelMaps.KernelMap map) => map.SortedRowOrder ??= BuildMaskOrder(map);

    private static int[] BuildMaskOrder(KernelMaps.KernelMap map)
    {
        int outputs = map.OutputCount;
        int volume = map.Volume;
        ReadOnlySpan<int> table = map.OutInMap;
        var masks = new ulong[outputs];
        var order = new int[outputs];
        for (int o = 0; o < outputs; o++)
        {
            ulong mask = 0;

            // Kernels beyond 64 offsets fold onto 64 bits: the order is only a locality heuristic.
            for (int k = 0; k < volume; k++)
            {
                if (table[(o * volume) + k] >= 0)
                {
                    mask |= 1UL << (k & 63);
                }
            }

            masks[o] = ~mask;
            order[o] = o;
        }

        // Array.Sort is unstable; row index as the tie-break keeps the order deterministic.
        Array.Sort(order, (a, b) => masks[a] != masks[b] ? masks[a].CompareTo(masks[b]) : a.CompareTo(b));
        return order;
    }

    private static int[] Scratch(int length)
    {
        int[]? buffer = scratch;
        if (buffer is null || buffer.Length < length)
        {
            buffer = new int[length];
            scratch = buffer;
        }

        return buffer;
    }
}
