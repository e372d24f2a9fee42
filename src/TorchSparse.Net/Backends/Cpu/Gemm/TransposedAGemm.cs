using System.Buffers;
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
/// <para>
/// Locality: the B rows (output rows) are cut into ranges of <see cref="RangeLength"/>, and one work item is one
/// range of one group. Items run range by range, so every offset of a range finds the range's output-gradient rows,
/// and the input rows around them, still in cache: each row comes from memory about once, not once per offset. (An
/// offset-by-offset sweep over the whole cloud was bound by that traffic: on the standard scan at 64 channels it took
/// 1.3x the forward's time on one thread, this order 1.05x.) It needs each group's rows in ascending B row order,
/// which pair lists have.
/// </para>
/// <para>
/// Determinism: an item gathers its rows chunk by chunk into two contiguous, padded tiles and runs
/// <see cref="TransposedAKernel"/> over them, one FMA chain per element from zero into a private partial; the partials
/// of a group are then added in range order. Items and ranges depend only on the shapes, never on the thread count,
/// so any number of threads gives the same bits, with no atomics; the two-level sum also keeps the fp32 error of
/// long groups small. Ranges run in waves of <see cref="WaveLength"/> to bound the partials held at once.
/// </para>
/// </remarks>
internal static unsafe class TransposedAGemm
{
    /// <summary>Rows gathered per sweep: two tiles of 256 rows (about 64 KiB each at 64 channels) stay in L2
    /// while every C tile passes over them.</summary>
    internal const int ChunkRows = 256;

    /// <summary>Floats of B rows (and about as many of A rows) one range spans: 512 KiB, so a range's rows stay in
    /// L2 while all of its offsets run.</summary>
    private const int RangeFloats = 1 << 17;

    /// <summary>Bound on the partial sums held at once (16 MiB, pooled); a wave holds at least one range. Large, as
    /// every wave ends in two barriers, and on a busy machine a barrier waits for the slowest thread.</summary>
    private const long PartialBudgetFloats = 1L << 22;

    private const int AlignmentFloats = 16;

    [ThreadStatic]
    private static float[]? scratch;

    /// <summary>
    /// <paramref name="result"/> [groups, m, n] (contiguous) = the grouped products. Group g covers rows
    /// [<paramref name="offsets"/>[g], <paramref name="offsets"/>[g + 1]); a null index array reads rows in order.
    /// Within a group, B rows must ascend and lie in [0, <paramref name="bRowCount"/>); A indices are not checked.
    /// <paramref name="vectorWidth"/> 0 means the widest this process has.
    /// </summary>
    public static void Run(
        float* a, int m, int[]? aRows, float* b, int n, int[]? bRows, int bRowCount, int[] offsets, float* result,
        int vectorWidth = 0)
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

        CheckAscending(bRows, bRowCount, offsets);
        switch (width)
        {
            case 16 when Vector512.IsHardwareAccelerated:
                Driver<Simd512, Vector512<float>, KernelRows8>.Run(a, m, aRows, b, n, bRows, bRowCount, offsets, result);
                break;
            case 8 when Vector256.IsHardwareAccelerated:
                Driver<Simd256, Vector256<float>, KernelRows6>.Run(a, m, aRows, b, n, bRows, bRowCount, offsets, result);
                break;
            case 4 when Vector128.IsHardwareAccelerated:
                Driver<Simd128, Vector128<float>, KernelRows6>.Run(a, m, aRows, b, n, bRows, bRowCount, offsets, result);
                break;
            default:
                Driver<SimdScalar, float, KernelRows6>.Run(a, m, aRows, b, n, bRows, bRowCount, offsets, result);
                break;
        }
    }

    /// <summary>B rows per range for these channel counts (at least one chunk, at most 8192).</summary>
    internal static int RangeLength(int m, int n) => Math.Clamp(RangeFloats / (m + n), ChunkRows, 8192);

    /// <summary>Ranges per wave: as many as the partial budget holds, at least one.</summary>
    internal static int WaveLength(int groups, long blockFloats, int ranges) =>
        (int)Math.Clamp(PartialBudgetFloats / (groups * blockFloats), 1, Math.Max(1, ranges));

    private static void CheckAscending(int[]? bRows, int bRowCount, int[] offsets)
    {
        int groups = offsets.Length - 1;
        if (bRows is null)
        {
            if (offsets[groups] > bRowCount)
            {
                ThrowHelper.ThrowOutOfRange(nameof(bRowCount), bRowCount, $"rows run to {offsets[groups]}.");
            }

            return;
        }

        for (int g = 0; g < groups; g++)
        {
            int previous = 0;
            for (int r = offsets[g]; r < offsets[g + 1]; r++)
            {
                int row = bRows[r];
                if (row < previous || row >= bRowCount)
                {
                    ThrowHelper.ThrowOutOfRange(nameof(bRows), row,
                        $"B rows must ascend within a group and lie below {bRowCount} (group {g}, position {r}).");
                }

                previous = row;
            }
        }
    }

    /// <summary>First position in [lo, hi) whose B row is at least <paramref name="row"/> (rows ascend).</summary>
    private static int LowerBound(int[]? bRows, int lo, int hi, long row)
    {
        if (bRows is null)
        {
            return (int)Math.Clamp(row, lo, hi);
        }

        while (lo < hi)
        {
            int mid = (int)(((uint)lo + (uint)hi) >> 1);
            if (bRows[mid] < row)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static class Driver<TIsa, TVec, TRows>
        where TIsa : struct, ISimdIsa<TVec>
        where TVec : struct
        where TRows : struct, IKernelRows
    {
        public static void Run(
            float* a, int m, int[]? aRows, float* b, int n, int[]? bRows, int bRowCount, int[] offsets, float* result)
        {
            // C rows padded to the kernel's row group and columns to whole registers, so the kernel needs no tails:
            // the padding of the A and B tiles is zero and the padded part of a partial is never read.
            int w = TIsa.Count;
            int paddedRows = (m + TRows.Count - 1) / TRows.Count * TRows.Count;
            int paddedColumns = (n + w - 1) / w * w;
            long block = (long)paddedRows * paddedColumns;
            int groups = offsets.Length - 1;
            int range = RangeLength(m, n);
            int ranges = (int)(((long)bRowCount + range - 1) / range);
            int wave = WaveLength(groups, block, ranges);
            var started = new bool[groups];
            var layout = new Layout(a, m, b, n, paddedRows, paddedColumns);
            // Pooled: a fresh multi-megabyte block would be new pages, and faulting them in costs milliseconds a call.
            long partialFloats = wave * groups * block;
            if (partialFloats > Array.MaxLength - AlignmentFloats)
            {
                ThrowHelper.ThrowShape($"{groups} products of {m} x {n} need more partial sums than an array holds.");
            }

            float[] pool = ArrayPool<float>.Shared.Rent((int)partialFloats + AlignmentFloats);
            try
            {
                fixed (float* poolBase = pool)
                fixed (int* aIndex = aRows)
                fixed (int* bIndex = bRows)
                {
                    float* partials = Align(poolBase);
                    int* ai = aIndex;
                    int* bi = bIndex;
                    for (int first = 0; first < ranges; first += wave)
                    {
                        int count = Math.Min(wave, ranges - first);
                        var filled = new bool[count * groups];

                        // Items in range-major order: the threads work through one range's offsets together.
                        Parallel.For(0, count * groups, CpuParallel.Options,
                            [MethodImpl(MethodImplOptions.AggressiveOptimization)] (item) =>
                        {
                            int g = item % groups;
                            long low = (long)(first + (item / groups)) * range;
                            int lo = LowerBound(bRows, offsets[g], offsets[g + 1], low);
                            int hi = LowerBound(bRows, lo, offsets[g + 1], low + range);
                            if (hi > lo)
                            {
                                RunItem(layout, ai, bi, lo, hi - lo, partials + (item * block));
                                filled[item] = true;
                            }
                        });

                        Parallel.For(0, groups, CpuParallel.Options, g =>
                        {
                            for (int r = 0; r < count; r++)
                            {
                                int item = (r * groups) + g;
                                if (filled[item])
                                {
                                    Accumulate(partials + (item * block), paddedColumns, m, n,
                                        result + ((long)g * m * n), add: started[g]);
                                    started[g] = true;
                                }
                            }
                        });
                    }
                }

                for (int g = 0; g < groups; g++)
                {
                    if (!started[g])
                    {
                        new Span<float>(result + ((long)g * m * n), m * n).Clear();
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(pool);
            }
        }

        /// <summary>Rows [first, first + count)'s product into the partial [paddedRows x paddedColumns], from zero,
        /// in row order.</summary>
        private static void RunItem(Layout l, int* aRows, int* bRows, int first, int count, float* c)
        {
            int w = TIsa.Count;
            int mr = TRows.Count;
            float* aTile = Scratch(ChunkRows * (l.PaddedRows + l.PaddedColumns), out float[] pin);
            float* bTile = aTile + ((long)ChunkRows * l.PaddedRows);
            for (int start = 0; start < count; start += ChunkRows)
            {
                int rows = Math.Min(ChunkRows, count - start);
                Gather(l.A, l.M, aRows, first + start, rows, aTile, l.PaddedRows);
                Gather(l.B, l.N, bRows, first + start, rows, bTile, l.PaddedColumns);
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

            GC.KeepAlive(pin);
        }
    }

    /// <summary>This thread's tile buffer of at least <paramref name="floats"/> floats, 64-byte aligned. Pinned (on
    /// the pinned object heap), so the pointer stays valid; <paramref name="pin"/> keeps the array alive.</summary>
    private static float* Scratch(int floats, out float[] pin)
    {
        float[]? buffer = scratch;
        if (buffer is null || buffer.Length < floats + AlignmentFloats)
        {
            buffer = GC.AllocateUninitializedArray<float>(floats + AlignmentFloats, pinned: true);
            scratch = buffer;
        }

        pin = buffer;
        return Align((float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer)));
    }

    /// <summary>The first 64-byte boundary at or after <paramref name="p"/> (at most <see cref="AlignmentFloats"/>
    /// floats on).</summary>
    private static float* Align(float* p) => p + (((64 - ((nint)p & 63)) & 63) / sizeof(float));

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

    /// <summary>C [m x n] = the partial (row stride <paramref name="stride"/>), or C += it when
    /// <paramref name="add"/>.</summary>
    private static void Accumulate(float* partial, int stride, int m, int n, float* c, bool add)
    {
        nuint bytes = (nuint)n * sizeof(float);
        for (int r = 0; r < m; r++)
        {
            float* source = partial + ((long)r * stride);
            float* target = c + ((long)r * n);
            if (add)
            {
                BinaryLoop.Invoke(target, source, target, (nuint)n, default(AddOperator));
            }
            else
            {
                Buffer.MemoryCopy(source, target, bytes, bytes);
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
