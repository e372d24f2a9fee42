using System.Runtime.Intrinsics;

namespace TorchSparse.Backends.Cpu;

/// <summary>
/// fp32 matrix products against a <see cref="PackedMatrix"/> B, on the vector width B was packed for (the widest
/// the process has, unless a test asked for a narrower one). Every output element is one FMA chain over
/// k = 0 .. K-1 in order, starting from the old C value when accumulating and from zero otherwise (see
/// <see cref="GemmKernel"/>). Threads split rows or column panels, never K, so <see cref="Multiply"/> gives the same
/// bits for any thread count, and <see cref="MultiplyRowsIndirect"/> gives the same bits as an accumulating
/// <see cref="Multiply"/> of the gathered rows.
/// </summary>
internal static unsafe class Gemm
{
    /// <summary>Below this many multiply-adds a second thread costs more to wake than it saves.</summary>
    private const long ParallelMinMultiplyAdds = 1L << 20;

    /// <summary>
    /// C [m x N] (row stride <paramref name="ldc"/>) = A [m x K] (row stride <paramref name="lda"/>) * B, or
    /// C += A * B when <paramref name="accumulate"/>. Uses up to <paramref name="maxThreads"/> threads (0 or less: one
    /// per processor).
    /// </summary>
    public static void Multiply(
        float* a, int lda, PackedMatrix b, float* c, int ldc, int m, bool accumulate, int maxThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(b);
        Validate(a, lda, b, c, ldc, m);
        if (m == 0 || b.N == 0)
        {
            return;
        }

        if (b.K == 0)
        {
            ClearUnlessAccumulating(c, ldc, m, b.N, accumulate);
            return;
        }

        int threads = maxThreads > 0 ? maxThreads : Environment.ProcessorCount;
        if ((long)m * b.N * b.K < ParallelMinMultiplyAdds)
        {
            threads = 1;
        }

        var rows = new DenseRows(a, lda, c, ldc);
        switch (b.VectorWidth)
        {
            case 16 when Vector512.IsHardwareAccelerated:
                GemmThreads<Simd512, Vector512<float>, KernelRows8>.Run(rows, m, b, accumulate, threads);
                break;
            case 8 when Vector256.IsHardwareAccelerated:
                GemmThreads<Simd256, Vector256<float>, KernelRows6>.Run(rows, m, b, accumulate, threads);
                break;
            case 4 when Vector128.IsHardwareAccelerated:
                GemmThreads<Simd128, Vector128<float>, KernelRows6>.Run(rows, m, b, accumulate, threads);
                break;
            case 1:
                GemmThreads<SimdScalar, float, KernelRows6>.Run(rows, m, b, accumulate, threads);
                break;
            default:
                ThrowPackedForOtherWidth(b);
                break;
        }
    }

    /// <summary>
    /// For r in [0, m): C[cRows[r] * ldc .. + N] += sum over k of A[aRows[r] * lda + k] * B[k, :]. Row indices are
    /// not checked (the caller built them); <paramref name="cRows"/> must not repeat within one call. Single-threaded:
    /// the sparse convolution parallelises across calls.
    /// </summary>
    public static void MultiplyRowsIndirect(
        float* a, int lda, int* aRows, float* c, int ldc, int* cRows, int m, PackedMatrix b)
    {
        ArgumentNullException.ThrowIfNull(b);
        Validate(a, lda, b, c, ldc, m);
        if (m == 0 || b.N == 0 || b.K == 0)
        {
            return;
        }

        if (aRows == null || cRows == null)
        {
            ThrowHelper.ThrowNull(aRows == null ? nameof(aRows) : nameof(cRows));
        }

        var rows = new IndirectRows(a, lda, aRows, c, ldc, cRows);
        fixed (float* bData = &b.Storage[b.Offset])
        {
            switch (b.VectorWidth)
            {
                case 16 when Vector512.IsHardwareAccelerated:
                    GemmDriver<Simd512, Vector512<float>, KernelRows8>.RunIndirect(rows, m, b, bData);
                    break;
                case 8 when Vector256.IsHardwareAccelerated:
                    GemmDriver<Simd256, Vector256<float>, KernelRows6>.RunIndirect(rows, m, b, bData);
                    break;
                case 4 when Vector128.IsHardwareAccelerated:
                    GemmDriver<Simd128, Vector128<float>, KernelRows6>.RunIndirect(rows, m, b, bData);
                    break;
                case 1:
                    GemmDriver<SimdScalar, float, KernelRows6>.RunIndirect(rows, m, b, bData);
                    break;
                default:
                    ThrowPackedForOtherWidth(b);
                    break;
            }
        }
    }

    private static void Validate(float* a, int lda, PackedMatrix b, float* c, int ldc, int m)
    {
        if (m < 0)
        {
            ThrowHelper.ThrowNegative(nameof(m), m);
        }

        if (m > 0 && b.K > 0 && lda < b.K)
        {
            ThrowHelper.ThrowOutOfRange(nameof(lda), lda, $"the row stride of A must be at least K = {b.K}.");
        }

        if (m > 0 && ldc < b.N)
        {
            ThrowHelper.ThrowOutOfRange(nameof(ldc), ldc, $"the row stride of C must be at least N = {b.N}.");
        }

        if (m > 0 && b.N > 0 && (c == null || (a == null && b.K > 0)))
        {
            ThrowHelper.ThrowNull(c == null ? nameof(c) : nameof(a));
        }
    }

    private static void ClearUnlessAccumulating(float* c, int ldc, int m, int n, bool accumulate)
    {
        if (accumulate)
        {
            return;
        }

        for (int row = 0; row < m; row++)
        {
            new Span<float>(c + ((long)row * ldc), n).Clear();
        }
    }

    private static void ThrowPackedForOtherWidth(PackedMatrix b) =>
        throw new InvalidOperationException(
            $"B was packed for {b.VectorWidth}-float registers, which this process does not accelerate.");
}
