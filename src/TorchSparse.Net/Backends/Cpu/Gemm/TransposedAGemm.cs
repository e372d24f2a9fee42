using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TorchSparse.Backends.Cpu;

/// <summary>
/// Grouped, gathered <c>A^T * B</c> products: for each group g, <c>C[g] [m x n] = sum over the group's rows r of
/// A[aRows[r], :]^T outer B[bRows[r], :]</c>. This is the sparse-conv weight gradient (a group is a kernel offset, its
/// rows are the offset's (input, output) pairs) and, with one group and no index arrays, the dense <c>A^T B</c> of
/// a pointwise layer.
/// </summary>
/// <remarks>
/// Work is cut into tasks of at most <see cref="SplitRows"/> consecutive rows of one group (split-K). A task gathers
/// its rows chunk by chunk into two contiguous, padded tiles and runs <see cref="TransposedAKernel"/> over them,
/// continuing one FMA chain per element across its chunks, into a private partial sum. Partials of a group are then
/// added in task order. The cut depends only on the shapes, never on the thread count, so any number of threads
/// gives the same bits, with no atomics; the two-level sum also keeps the fp32 error of long groups small.
/// </remarks>
internal static unsafe class TransposedAGemm
{
    /// <summary>Rows gathered per sweep: two tiles of 256 rows (about 64 KiB each at 64 channels) stay in L2
    /// while every C tile passes over them.</summary>
    internal const int ChunkRows = 256;

    /// <summary>Rows one task sums before its partial is reduced: enough work to amortise a task (about 16 M
    /// multiply-adds at 64 x 64) while big offsets still split across threads.</summary>
    internal const int SplitRows = 4096;

    /// <summary>Bound on the partial sums held at once (16 MiB); beyond it, tasks grow instead.</summary>
    private const long PartialBudgetFloats = 1L << 22;

    /// <summary>
    /// <paramref name="result"/> [groups, m, n] (contiguous) = the grouped products. Group g covers rows
    /// [<paramref name="offsets"/>[g], <paramref name="offsets"/>[g + 1]); a null index array reads rows in order.
    /// Indices are not checked. <paramref name="vectorWidth"/> 0 means the widest this process has.
    /// </summary>
    public static void Run(
        float* a, int m, int[]? aRows, float* b, int n, int[]? bRows, int[] offsets, float* result, int vectorWidth = 0)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        int width = vectorWidth == 0 ? SimdWidth.Widest : vectorWidth;
        if (width is not (16 or 8 or 4 or 1) || width > SimdWidth.Widest)
        {
            ThrowHelper.ThrowOutOfRange(
                nameof(vectorWidth), vectorWidth, $"must be 0, 16, 8, 4 or 1 and at most {SimdWidth.Widest} here.");
        }

        if (m <= 0 || n <= 0 || offsets.Length < 2)
        {
            return;
        }

        switch (width)
        {
            case 16 when Vector512.IsHardwareAccelerated:
                Driver<Simd512, Vector512<float>, KernelRows8>.Run(a, m, aRows, b, n, bRows, offsets, result);
                break;
            case 8 when Vector256.IsHardwareAccelerated:
                Driver<Simd256, Vector256<float>, KernelRows6>.Run(a, m, aRows, b, n, bRows, offsets, result);
                break;
            case 4 when Vector128.IsHardwareAccelerated:
                Driver<Simd128, Vector128<float>, KernelRows6>.Run(a, m, aRows, b, n, bRows, offsets, result);
                break;
            default:
                Driver<SimdScalar, float, KernelRows6>.Run(a, m, aRows, b, n, bRows, offsets, result);
                break;
        }
    }

    /// <summary>Rows per task for these shapes: <see cref="SplitRows"/>, or more when the partials would not fit
    /// the budget. A whole multiple of <see cref="ChunkRows"/>.</summary>
    internal static int SplitLength(long totalRows, int groups, long blockFloats)
    {
        long affordable = (PartialBudgetFloats / blockFloats) - groups;
        long split = affordable <= 0 ? totalRows : Math.Max(SplitRows, (totalRows + affordable - 1) / affordable);
        split = (split + ChunkRows - 1) / ChunkRows * ChunkRows;
        return (int)Math.Clamp(split, ChunkRows, int.MaxValue / ChunkRows * ChunkRows);
    }

    private readonly record struct Piece(int Group, int First, int Count);

    private static class Driver<TIsa, TVec, TRows>
        where TIsa : struct, ISimdIsa<TVec>
        where TVec : struct
        where TRows : struct, IKernelRows
    {
        public static void Run(float* a, int m, int[]? aRows, float* b, int n, int[]? bRows, int[] offsets, float* result)
        {
            // C rows padded to the kernel's row group and columns to its panels, so the kernel needs no tails:
            // the padding of the A and B tiles is zero and the padded part of a partial is never read.
            int w = TIsa.Count;
            int paddedRows = (m + TRows.Count - 1) / TRows.Count * TRows.Count;
            int paddedColumns = (n + w - 1) / w * w;
            long block = (long)paddedRows * paddedColumns;
            int groups = offsets.Length - 1;
            int split = SplitLength(offsets[groups] - offsets[0], groups, block);
            var tasks = new List<Piece>();
            var firstTask = new int[groups + 1];
            for (int g = 0; g < groups; g++)
            {
                firstTask[g] = tasks.Count;
                for (int start = offsets[g]; start < offsets[g + 1]; start += split)
                {
                    tasks.Add(new Piece(g, start, Math.Min(split, offsets[g + 1] - start)));
                }
            }

            firstTask[groups] = tasks.Count;
            float* partials = (float*)NativeMemory.AlignedAlloc((nuint)(Math.Max(1, tasks.Count) * block * sizeof(float)), 64);
            try
            {
                var layout = new Layout(a, m, b, n, paddedRows, paddedColumns);
                Piece[] work = [.. tasks];
                fixed (int* aIndex = aRows)
                fixed (int* bIndex = bRows)
                {
                    int* ai = aIndex;
                    int* bi = bIndex;
                    Parallel.For(0, work.Length, CpuParallel.Options,
                        [MethodImpl(MethodImplOptions.AggressiveOptimization)] (t) =>
                        RunTask(layout, ai, bi, work[t], partials + (t * block)));
                }

                Parallel.For(0, groups, CpuParallel.Options, g =>
                    Reduce(partials, block, paddedColumns, firstTask[g], firstTask[g + 1], m, n, result + ((long)g * m * n)));
            }
            finally
            {
                NativeMemory.AlignedFree(partials);
            }
        }

        /// <summary>One task's partial [paddedRows x paddedColumns], from zero, in row order.</summary>
        [SkipLocalsInit]
        private static void RunTask(Layout l, int* aRows, int* bRows, Piece task, float* c)
        {
            int w = TIsa.Count;
            int mr = TRows.Count;
            nuint tileFloats = (nuint)ChunkRows * (nuint)(l.PaddedRows + l.PaddedColumns);
            float* aTile = (float*)NativeMemory.AlignedAlloc(tileFloats * sizeof(float), 64);
            float* bTile = aTile + ((long)ChunkRows * l.PaddedRows);
            try
            {
                for (int start = 0; start < task.Count; start += ChunkRows)
                {
                    int rows = Math.Min(ChunkRows, task.Count - start);
                    int first = task.First + start;
                    Gather(l.A, l.M, aRows, first, rows, aTile, l.PaddedRows);
                    Gather(l.B, l.N, bRows, first, rows, bTile, l.PaddedColumns);
                    bool loadC = start > 0;

                    // Panel outer: a B stripe of 2 registers x the chunk stays in L1 for every row group.
                    for (int column = 0; column < l.PaddedColumns; column += 2 * w)
                    {
                        bool two = column + (2 * w) <= l.PaddedColumns;
                        for (int g = 0; g < l.PaddedRows; g += mr)
                        {
                            float* cTile = c + ((long)g * l.PaddedColumns) + column;
                            if (two)
                            {
                                TransposedAKernel.Run<TIsa, TVec, TRows, TwoVectors>(
                                    aTile + g, l.PaddedRows, bTile + column, l.PaddedColumns, rows, cTile, l.PaddedColumns, loadC);
                            }
                            else
                            {
                                TransposedAKernel.Run<TIsa, TVec, TRows, OneVector>(
                                    aTile + g, l.PaddedRows, bTile + column, l.PaddedColumns, rows, cTile, l.PaddedColumns, loadC);
                            }
                        }
                    }
                }
            }
            finally
            {
                NativeMemory.AlignedFree(aTile);
            }
        }
    }

    /// <summary>Copies rows (indexed, or consecutive from <paramref name="first"/>) into a tile of stride
    /// <paramref name="stride"/>, zeroing each row's padding.</summary>
    private static void Gather(float* source, int length, int* index, int first, int rows, float* tile, int stride)
    {
        nuint bytes = (nuint)length * sizeof(float);
        for (int r = 0; r < rows; r++)
        {
            long row = first + r;
            if (index != null)
            {
                if (r + Prefetch.RowDistance < rows)
                {
                    Prefetch.Row(source + ((long)index[row + Prefetch.RowDistance] * length), (nuint)length);
                }

                row = index[row];
            }

            float* target = tile + ((long)r * stride);
            Buffer.MemoryCopy(source + (row * length), target, bytes, bytes);
            new Span<float>(target + length, stride - length).Clear();
        }
    }

    /// <summary>C [m x n] = the sum of the partials [first, end) in order, or zero when the group had no rows.</summary>
    private static void Reduce(float* partials, long block, int stride, int first, int end, int m, int n, float* c)
    {
        for (int r = 0; r < m; r++)
        {
            float* target = c + ((long)r * n);
            if (first == end)
            {
                new Span<float>(target, n).Clear();
                continue;
            }

            nuint bytes = (nuint)n * sizeof(float);
            Buffer.MemoryCopy(partials + (first * block) + ((long)r * stride), target, bytes, bytes);
            for (int t = first + 1; t < end; t++)
            {
                BinaryLoop.Invoke(target, partials + (t * block) + ((long)r * stride), target, (nuint)n, default(AddOperator));
            }
        }
    }

    /// <summary>Operands and padded shapes of one call, passed by value to the tasks.</summary>
    private readonly struct Layout(float* a, int m, float* b, int n, int paddedRows, int paddedColumns)
    {
        public readonly float* A = a;
        public readonly int M = m;
        public readonly float* B = b;
        public readonly int N = n;
        public readonly int PaddedRows = paddedRows;
        public readonly int PaddedColumns = paddedColumns;
    }
}
