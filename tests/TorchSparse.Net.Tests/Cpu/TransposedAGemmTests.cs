using TorchSparse.Backends.Cpu;
using TorchSparse.Tests.Conv;

namespace TorchSparse.Tests.Cpu;

/// <summary>
/// The grouped, gathered A^T * B of the weight gradient against a double reference, for every register width, with
/// groups that are empty, shorter than a chunk, and spread over many ranges and waves; plus its determinism: the
/// same bits for any thread count, for every width, and whether rows are indexed or read in place.
/// </summary>
[Trait("Category", "Simd")]
[Collection(ThreadCountGroup.Name)]
public unsafe class TransposedAGemmTests
{
    /// <summary>Rows per group: empty, one, a partial chunk, several chunks, more rows than B has (B rows repeat).</summary>
    private static readonly int[] GroupRows = [0, 1, 37, 700, 9300];

    public static TheoryData<int, int> Shapes()
    {
        var data = new TheoryData<int, int>();
        foreach (int m in new[] { 1, 3, 8, 15, 17, 33, 64 })
        {
            foreach (int n in new[] { 1, 3, 8, 15, 16, 17, 31, 33, 64, 96 })
            {
                data.Add(m, n);
            }
        }

        return data;
    }

    /// <summary>Every accelerated width with a few shapes around its register and row-group sizes.</summary>
    public static TheoryData<int, int, int> Widths()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int width in new[] { 16, 8, 4, 1 }.Where(w => w <= SimdWidth.Widest))
        {
            foreach ((int m, int n) in new[] { (1, 1), (7, 5), (8, 16), (13, 33), (64, 64) })
            {
                data.Add(width, m, n);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Grouped_products_match_the_double_reference(int m, int n)
    {
        Problem p = Problem.Make(m, n, GroupRows, indexed: true);
        float[] c = p.Run(vectorWidth: 0);
        p.AssertMatchesReference(c, $"m={m} n={n}");
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Every_width_matches_the_reference_and_the_widest_bits(int width, int m, int n)
    {
        // The per-element chains and the ranges (which depend on m and n only) are the same for every width, so a
        // narrower width must reproduce the widest bits.
        Problem p = Problem.Make(m, n, GroupRows, indexed: true);
        float[] narrow = p.Run(width);
        p.AssertMatchesReference(narrow, $"width={width} m={m} n={n}");
        AssertSameBits(p.Run(vectorWidth: 0), narrow, $"width={width} against the widest");
    }

    [Theory]
    [InlineData(64, 64)]
    [InlineData(17, 33)]
    [InlineData(3, 96)]
    public void Same_bits_for_any_thread_count(int m, int n)
    {
        Problem p = Problem.Make(m, n, [12_000, 5, 0, 4097], indexed: true);
        float[] all = p.Run(0);
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                Device.CpuThreads = threads;
                AssertSameBits(all, p.Run(0), $"{threads} threads");
            }
        }
        finally
        {
            Device.CpuThreads = 0;
        }
    }

    [Fact]
    public void Rows_in_place_give_the_bits_of_the_same_rows_through_an_index()
    {
        Problem inPlace = Problem.Make(33, 17, [9000], indexed: false);
        float[] direct = inPlace.Run(0);
        inPlace.AssertMatchesReference(direct, "in place");
        int[] identity = [.. Enumerable.Range(0, inPlace.Rows)];
        Problem indexed = inPlace with { ARows = identity, BRows = identity, BCount = inPlace.Rows };
        AssertSameBits(direct, indexed.Run(0), "identity index");
    }

    /// <summary>
    /// A conv-like map: 27 groups, each output row at most once per group, ranges of 512 rows at 128 x 128 channels
    /// and waves of 9 ranges, so partials are carried from wave to wave.
    /// </summary>
    [Fact]
    public void Many_ranges_and_waves_match_the_reference()
    {
        const int Outputs = 6000;
        Assert.Equal(512, TransposedAGemm.RangeLength(128, 128));
        Assert.Equal(9, TransposedAGemm.WaveLength(27, 128 * 128, 12));
        var rng = new Random(5);
        var offsets = new int[28];
        var aRows = new List<int>();
        var bRows = new List<int>();
        for (int g = 0; g < 27; g++)
        {
            for (int o = 0; o < Outputs; o++)
            {
                if (rng.NextDouble() < (g == 13 ? 1.0 : 0.1))
                {
                    aRows.Add(rng.Next(Outputs));
                    bRows.Add(o);
                }
            }

            offsets[g + 1] = aRows.Count;
        }

        var p = new Problem(GemmReference.Random(Outputs * 128, 6), 128, GemmReference.Random(Outputs * 128, 7), 128,
            [.. aRows], [.. bRows], Outputs, offsets);
        float[] c = p.Run(0);
        p.AssertMatchesReference(c, "27 groups");
        try
        {
            Device.CpuThreads = 1;
            AssertSameBits(c, p.Run(0), "1 thread");
        }
        finally
        {
            Device.CpuThreads = 0;
        }
    }

    [Fact]
    public void Ranges_and_waves_depend_only_on_the_shapes()
    {
        Assert.Equal(1024, TransposedAGemm.RangeLength(64, 64));
        Assert.Equal(TransposedAGemm.ChunkRows, TransposedAGemm.RangeLength(1000, 1000));
        Assert.Equal(8192, TransposedAGemm.RangeLength(1, 3));
        Assert.Equal(37, TransposedAGemm.WaveLength(27, 64 * 64, 100));
        Assert.Equal(3, TransposedAGemm.WaveLength(27, 64 * 64, 3));
        Assert.Equal(1, TransposedAGemm.WaveLength(27, 512 * 512, 100));
    }

    [Fact]
    public void B_rows_out_of_order_are_rejected()
    {
        var p = new Problem(new float[8], 2, new float[8], 2, [0, 1, 2], [2, 1, 3], 4, [0, 3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => p.Run(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => (p with { BRows = [0, 1, 4] }).Run(0));
    }

    private static void AssertSameBits(float[] expected, float[] actual, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{context}: element {i}: {expected[i]:R} vs {actual[i]:R}");
        }
    }

    /// <summary>
    /// A and B with spare rows, groups of pair rows, and index arrays that repeat and skip rows (B rows ascending
    /// within each group, as in a kernel map's pair lists).
    /// </summary>
    private sealed record Problem(float[] A, int M, float[] B, int N, int[]? ARows, int[]? BRows, int BCount, int[] Offsets)
    {
        public int Rows => Offsets[^1];

        public static Problem Make(int m, int n, int[] groupRows, bool indexed)
        {
            int[] offsets = new int[groupRows.Length + 1];
            for (int g = 0; g < groupRows.Length; g++)
            {
                offsets[g + 1] = offsets[g] + groupRows[g];
            }

            int rows = offsets[^1];
            int aCount = indexed ? rows + 11 : rows;
            int bCount = indexed ? (rows / 2) + 7 : rows;
            var rng = new Random((m * 1000) + n);
            int[]? aRows = indexed ? [.. Enumerable.Range(0, rows).Select(_ => rng.Next(aCount))] : null;
            int[]? bRows = indexed ? [.. Enumerable.Range(0, rows).Select(_ => rng.Next(bCount))] : null;
            for (int g = 0; bRows is not null && g < groupRows.Length; g++)
            {
                Array.Sort(bRows, offsets[g], groupRows[g]);
            }

            return new Problem(GemmReference.Random(aCount * m, m + 1), m, GemmReference.Random(bCount * n, n + 2), n,
                aRows, bRows, bCount, offsets);
        }

        public float[] Run(int vectorWidth)
        {
            int groups = Offsets.Length - 1;
            float[] c = GemmReference.Random(groups * M * N, 99);
            fixed (float* a = A, b = B, pc = c)
            {
                TransposedAGemm.Run(a, M, ARows, b, N, BRows, BCount, Offsets, pc, vectorWidth);
            }

            return c;
        }

        /// <summary>
        /// Tolerance per element: <c>(rows + 2) * 2^-23 * sum |terms|</c>, twice the worst-case bound of a chain of
        /// (range rows + range count) roundings over the group's rows, as in <see cref="GemmReference"/>.
        /// </summary>
        public void AssertMatchesReference(float[] c, string context)
        {
            for (int g = 0; g < Offsets.Length - 1; g++)
            {
                int count = Offsets[g + 1] - Offsets[g];
                var exact = new double[M * N];
                var magnitude = new double[M * N];
                for (int r = Offsets[g]; r < Offsets[g + 1]; r++)
                {
                    int aRow = ARows?[r] ?? r;
                    int bRow = BRows?[r] ?? r;
                    for (int i = 0; i < M; i++)
                    {
                        double x = A[(aRow * M) + i];
                        for (int j = 0; j < N; j++)
                        {
                            double term = x * B[(bRow * N) + j];
                            exact[(i * N) + j] += term;
                            magnitude[(i * N) + j] += Math.Abs(term);
                        }
                    }
                }

                for (int e = 0; e < M * N; e++)
                {
                    double actual = c[(g * M * N) + e];
                    double tolerance = (count + 2) * Math.ScaleB(1, -23) * magnitude[e];
                    if (!(Math.Abs(actual - exact[e]) <= tolerance))
                    {
                        Assert.Fail($"{context}: group {g}, C[{e / N},{e % N}] = {actual:R}, expected {exact[e]:R}");
                    }
                }
            }
        }
    }
}
