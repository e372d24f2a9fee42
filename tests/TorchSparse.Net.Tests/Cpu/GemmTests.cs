using TorchSparse.Backends.Cpu;

namespace TorchSparse.Tests.Cpu;

[Trait("Category", "Simd")]
public unsafe class GemmTests
{
    private static readonly int[] Rows = [0, 1, 7, 8, 9, 31, 100, 1000];
    private static readonly int[] Sizes = [1, 3, 8, 15, 16, 17, 31, 32, 33, 64, 96, 128];

    /// <summary>Every m x N x K of the sweep, with and without accumulation.</summary>
    public static TheoryData<int, int, int, bool> Sweep()
    {
        var data = new TheoryData<int, int, int, bool>();
        foreach (int m in Rows)
        {
            foreach (int n in Sizes)
            {
                foreach (int k in Sizes)
                {
                    data.Add(m, n, k, false);
                    data.Add(m, n, k, true);
                }
            }
        }

        return data;
    }

    /// <summary>Shapes for the packed-A path (many panels or K sliced) and for zero-size edges.</summary>
    public static TheoryData<int, int, int, bool> Blocked() => new()
    {
        { 1, 300, 40, false },
        { 9, 257, 33, true },
        { 100, 512, 17, false },
        { 37, 40, 257, true },
        { 300, 33, 600, false },
        { 65, 520, 513, true },
        { 260, 64, 64, false },
        { 513, 96, 300, true },
        { 5, 0, 7, false },
        { 5, 7, 0, false },
        { 5, 7, 0, true },
        { 0, 7, 5, true },
    };

    [Theory]
    [MemberData(nameof(Sweep))]
    [MemberData(nameof(Blocked))]
    public void Multiply_matches_the_double_reference(int m, int n, int k, bool accumulate) =>
        CheckMultiply(m, n, k, lda: k, ldc: n, accumulate, maxThreads: 0);

    [Theory]
    [InlineData(33, 17, 40, false)]
    [InlineData(100, 64, 300, true)]
    [InlineData(9, 300, 31, true)]
    public void Multiply_honours_row_strides_and_leaves_padding_alone(int m, int n, int k, bool accumulate) =>
        CheckMultiply(m, n, k, lda: k + 5, ldc: n + 3, accumulate, maxThreads: 1);

    [Theory]
    [InlineData(1000, 128, 128)]
    [InlineData(1000, 33, 64)]
    [InlineData(37, 1024, 300)]
    [InlineData(1024, 100, 700)]
    [InlineData(9, 4000, 64)]
    public void Multiply_gives_the_same_bits_for_any_thread_count(int m, int n, int k)
    {
        float[] a = GemmReference.Random(m * k, 1);
        float[] b = GemmReference.Random(k * n, 2);
        PackedMatrix packed = PackedMatrix.Pack(b, k, n);
        float[] single = Run(1);
        foreach (int threads in new[] { 2, 3, 0 })
        {
            float[] multi = Run(threads);
            for (int i = 0; i < single.Length; i++)
            {
                Assert.True(
                    BitConverter.SingleToInt32Bits(single[i]) == BitConverter.SingleToInt32Bits(multi[i]),
                    $"{m}x{n}x{k}: element {i} differs between 1 and {threads} threads: {single[i]:R} vs {multi[i]:R}");
            }
        }

        float[] Run(int threads)
        {
            float[] c = GemmReference.Random(m * n, 3);
            fixed (float* pa = a, pc = c)
            {
                Gemm.Multiply(pa, k, packed, pc, n, m, accumulate: true, threads);
            }

            return c;
        }
    }

    [Theory]
    [MemberData(nameof(IndirectSweep))]
    public void MultiplyRowsIndirect_matches_the_reference_and_the_dense_product(int m, int n, int k)
    {
        // A has spare rows and aRows repeats some; C has rows the call must not touch.
        int aCount = m + 5;
        int cCount = m + 3;
        float[] a = GemmReference.Random(aCount * k, 11);
        float[] b = GemmReference.Random(k * n, 12);
        var rng = new Random(13);
        int[] aRows = Enumerable.Range(0, m).Select(_ => rng.Next(aCount)).ToArray();
        int[] cRows = GemmReference.Permutation(cCount, 14)[..m];
        float[] c0 = GemmReference.Random(cCount * n, 15);
        float[] c = (float[])c0.Clone();
        PackedMatrix packed = PackedMatrix.Pack(b, k, n);
        fixed (float* pa = a, pc = c)
        fixed (int* pARows = aRows, pCRows = cRows)
        {
            Gemm.MultiplyRowsIndirect(pa, k, pARows, pc, n, pCRows, m, packed);
        }

        string context = $"indirect m={m} n={n} k={k}";
        GemmReference.AssertProduct(a, k, aRows, b, n, k, c0, c, n, cRows, m, accumulate: true, context);
        GemmReference.AssertUntouched(c0, c, n, n, cRows.ToHashSet(), context);

        // Same summation order as Multiply: gather the rows, accumulate densely, compare bits.
        float[] gatheredA = aRows.SelectMany(r => a.AsSpan(r * k, k).ToArray()).ToArray();
        float[] dense = cRows.SelectMany(r => c0.AsSpan(r * n, n).ToArray()).ToArray();
        fixed (float* pa = gatheredA, pc = dense)
        {
            Gemm.Multiply(pa, k, packed, pc, n, m, accumulate: true, maxThreads: 1);
        }

        for (int r = 0; r < m; r++)
        {
            for (int j = 0; j < n; j++)
            {
                Assert.Equal(
                    BitConverter.SingleToInt32Bits(dense[(r * n) + j]),
                    BitConverter.SingleToInt32Bits(c[(cRows[r] * n) + j]));
            }
        }
    }

    public static TheoryData<int, int, int> IndirectSweep()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int m in Rows)
        {
            foreach (int n in Sizes)
            {
                foreach (int k in Sizes)
                {
                    data.Add(m, n, k);
                }
            }
        }

        data.Add(50, 300, 40);
        data.Add(20, 48, 600);
        data.Add(5, 7, 0);
        data.Add(5, 0, 7);
        return data;
    }

    /// <summary>Shapes around every register width, for every vector width this process accelerates.</summary>
    public static TheoryData<int, int, int, int> NarrowWidths()
    {
        var data = new TheoryData<int, int, int, int>();
        foreach (int width in new[] { 8, 4, 1 }.Where(w => w <= SimdWidth.Widest))
        {
            foreach (int m in new[] { 1, 7, 100 })
            {
                foreach (int n in new[] { 1, 3, 4, 5, 8, 9, 15, 16, 17, 33, 70 })
                {
                    foreach (int k in new[] { 1, 17, 64, 300 })
                    {
                        data.Add(width, m, n, k);
                    }
                }
            }
        }

        return data;
    }

    /// <summary>
    /// Every width runs the same per-element chain, so a narrower width must give the widest width's bits exactly
    /// (with FMA everywhere, or with multiply-then-add everywhere when the CPU has no FMA).
    /// </summary>
    [Theory]
    [MemberData(nameof(NarrowWidths))]
    public void Narrower_widths_match_the_reference_and_the_widest_bits(int width, int m, int n, int k)
    {
        float[] a = GemmReference.Random(m * k, 21);
        float[] b = GemmReference.Random(k * n, 22);
        float[] c0 = GemmReference.Random(m * n, 23);
        float[] narrow = (float[])c0.Clone();
        float[] widest = (float[])c0.Clone();
        fixed (float* pa = a, pNarrow = narrow, pWidest = widest)
        {
            Gemm.Multiply(pa, k, PackedMatrix.Pack(b, k, n, width), pNarrow, n, m, accumulate: true);
            Gemm.Multiply(pa, k, PackedMatrix.Pack(b, k, n), pWidest, n, m, accumulate: true);
        }

        string context = $"width={width} m={m} n={n} k={k}";
        GemmReference.AssertProduct(a, k, null, b, n, k, c0, narrow, n, null, m, accumulate: true, context);
        bool sameArithmetic = SimdWidth.HasFusedMultiplyAdd || (width <= 4 && SimdWidth.Widest <= 4);
        if (sameArithmetic)
        {
            for (int i = 0; i < narrow.Length; i++)
            {
                Assert.True(
                    BitConverter.SingleToInt32Bits(narrow[i]) == BitConverter.SingleToInt32Bits(widest[i]),
                    $"{context}: element {i} is {narrow[i]:R}, the widest path gave {widest[i]:R}");
            }
        }
    }

    [Fact]
    public void Multiply_rejects_bad_arguments()
    {
        PackedMatrix packed = PackedMatrix.Pack(new float[12], 3, 4);
        float[] buffer = new float[64];
        fixed (float* p = buffer)
        {
            float* q = p;
            Assert.Equal("m", Assert.Throws<ArgumentOutOfRangeException>(
                () => Gemm.Multiply(q, 3, packed, q, 4, -1, false)).ParamName);
            Assert.Equal("lda", Assert.Throws<ArgumentOutOfRangeException>(
                () => Gemm.Multiply(q, 2, packed, q, 4, 2, false)).ParamName);
            Assert.Equal("ldc", Assert.Throws<ArgumentOutOfRangeException>(
                () => Gemm.Multiply(q, 3, packed, q, 3, 2, false)).ParamName);
            Assert.Equal("c", Assert.Throws<ArgumentNullException>(
                () => Gemm.Multiply(q, 3, packed, null, 4, 2, false)).ParamName);
            Assert.Equal("aRows", Assert.Throws<ArgumentNullException>(
                () => Gemm.MultiplyRowsIndirect(q, 3, null, q, 4, (int*)q, 2, packed)).ParamName);
        }

        Assert.Throws<ShapeMismatchException>(() => PackedMatrix.Pack(new float[11], 3, 4));
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => PackedMatrix.Pack([], -1, 4)).ParamName);
        Assert.Equal("vectorWidth", Assert.Throws<ArgumentOutOfRangeException>(
            () => PackedMatrix.Pack(new float[12], 3, 4, 2)).ParamName);
    }

    private static void CheckMultiply(int m, int n, int k, int lda, int ldc, bool accumulate, int maxThreads)
    {
        float[] a = GemmReference.Random(Math.Max(m * lda, 1), 1);
        float[] b = GemmReference.Random(k * n, 2);
        float[] c0 = GemmReference.Random(Math.Max(m * ldc, 1), 3);
        float[] c = (float[])c0.Clone();
        PackedMatrix packed = PackedMatrix.Pack(b, k, n);
        Assert.Equal((k, n), (packed.K, packed.N));
        fixed (float* pa = a, pc = c)
        {
            Gemm.Multiply(pa, lda, packed, pc, ldc, m, accumulate, maxThreads);
        }

        string context = $"m={m} n={n} k={k} lda={lda} ldc={ldc} accumulate={accumulate}";
        GemmReference.AssertProduct(a, lda, null, b, n, k, c0, c, ldc, null, m, accumulate, context);
        GemmReference.AssertUntouched(c0, c, ldc, n, Enumerable.Range(0, m).ToHashSet(), context);
    }
}
