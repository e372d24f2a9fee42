using System.Runtime.CompilerServices;
using TorchSparse.Coordinates;
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
    // Runs of consecutive tiles per thread: a few more than threads, so an uneven run does not leave one idle.
    private const int TileRunsPerThread = 4;

    [ThreadStatic]
    private static int[]? scratch;

    public static void Run(ConvJob job, int tileRows, bool sortByMask)
    {
        if (sortByMask)
        {
            RunSorted(job, tileRows);
        }
        else
        {
            RunInRowOrder(job, tileRows);
        }
    }

    // Tiles of consecutive output rows. The pair lists hold each offset's pairs in output order, so a tile's pairs at
    // offset k are one contiguous range of list k: nothing is built per tile. Threads take runs of consecutive
    // tiles; a run finds where its first tile starts in every list by binary search, then each later tile starts
    // where the previous one ended.
    private static void RunInRowOrder(ConvJob job, int tileRows)
    {
        int outputs = job.Map.OutputCount;
        int volume = job.Map.Volume;
        KernelMaps.PairLists pairs = job.Map.Pairs;
        int[] offsets = pairs.Offsets;
        int tiles = (outputs + tileRows - 1) / tileRows;
        int runs = Math.Min(tiles, CpuParallel.Options.MaxDegreeOfParallelism * TileRunsPerThread);
        fixed (int* inputList = pairs.Inputs)
        fixed (int* outputList = pairs.Outputs)
        {
            int* inRows = inputList;
            int* outRows = outputList;
            Parallel.For(0, runs, CpuParallel.Options,
                [MethodImpl(MethodImplOptions.AggressiveOptimization)] (run) =>
            {
                int firstTile = (int)((long)tiles * run / runs);
                int endTile = (int)((long)tiles * (run + 1) / runs);
                Span<int> next = stackalloc int[volume];
                for (int k = 0; k < volume; k++)
                {
                    var group = new ReadOnlySpan<int>(outRows + offsets[k], offsets[k + 1] - offsets[k]);
                    next[k] = offsets[k] + SortedSearch.LowerBound(group, firstTile * tileRows);
                }

                for (int tile = firstTile; tile < endTile; tile++)
                {
                    int start = tile * tileRows;
                    int end = Math.Min(outputs, start + tileRows);
                    CpuSparseConv.ClearRows(job.Output, job.Cout, start, end - start);
                    for (int k = 0; k < volume; k++)
                    {
                        int first = next[k];
                        int last = first;
                        int groupEnd = offsets[k + 1];
                        while (last < groupEnd && outRows[last] < end)
                        {
                            last++;
                        }

                        next[k] = last;
                        if (last > first)
                        {
                            Gemm.MultiplyRowsIndirect(job.Input, job.Cin, inRows + first, job.Output, job.Cout,
                                outRows + first, last - first, job.Weights[k]);
                        }
                    }
                }
            });
        }
    }

    // Tiles of rows in neighbour-mask order: each tile lists its rows per offset first.
    private static void RunSorted(ConvJob job, int tileRows)
    {
        int outputs = job.Map.OutputCount;
        int volume = job.Map.Volume;
        int[] order = MaskOrder(job.Map);
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
                    int o = order[start + r];
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
