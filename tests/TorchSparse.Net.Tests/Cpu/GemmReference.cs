namespace TorchSparse.Tests.Cpu;

/// <summary>
/// The oracle for the GEMM tests: a naive triple loop accumulating in double, and the fp32 tolerance it is held to.
/// </summary>
internal static class GemmReference
{
    /// <summary>Seeded values in [-1, 1), so sums of products neither overflow nor cancel to nothing.</summary>
    public static float[] Random(int length, int seed)
    {
        var rng = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (rng.NextSingle() * 2) - 1;
        }

        return values;
    }

    /// <summary>A seeded random permutation of [0, count).</summary>
    public static int[] Permutation(int count, int seed)
    {
        var rng = new Random(seed);
        int[] order = Enumerable.Range(0, count).ToArray();
        rng.Shuffle(order);
        return order;
    }

    /// <summary>
    /// Checks C [m x n] (row stride ldc) against <c>c0 + A * B</c> computed in double, where A row r is row
    /// <c>aRows[r]</c> of <paramref name="a"/> and C row r is row <c>cRows[r]</c> (null: the identity).
    /// </summary>
    /// <remarks>
    /// Tolerance, per element: <c>|c - exact| &lt;= (K + 1) * 2^-23 * (sum_k |a_k * b_k| + |c0|)</c>. A chain of K
    /// fp32 fused multiply-adds onto c0 has a worst-case error of <c>gamma_(K+1) = (K + 1) u / (1 - (K + 1) u)</c>,
    /// u = 2^-24, times that sum of magnitudes; the bound above is twice that, which also covers multiply-then-add
    /// (no FMA) hardware. Measured errors are far below it; a wrong index or a missed step is far above it.
    /// </remarks>
    public static void AssertProduct(
        float[] a, int lda, int[]? aRows, float[] b, int n, int k, float[] c0, float[] c, int ldc, int[]? cRows,
        int m, bool accumulate, string context)
    {
        for (int r = 0; r < m; r++)
        {
            int aRow = aRows?[r] ?? r;
            int cRow = cRows?[r] ?? r;
            for (int j = 0; j < n; j++)
            {
                double start = accumulate ? c0[(cRow * ldc) + j] : 0;
                double exact = start;
                double magnitude = Math.Abs(start);
                for (int s = 0; s < k; s++)
                {
                    double product = (double)a[(aRow * lda) + s] * b[(s * n) + j];
                    exact += product;
                    magnitude += Math.Abs(product);
                }

                double actual = c[(cRow * ldc) + j];
                double tolerance = (k + 1) * Math.ScaleB(1, -23) * magnitude;
                if (!(Math.Abs(actual - exact) <= tolerance))
                {
                    Assert.Fail(
                        $"{context}: C[{cRow},{j}] = {actual:R}, expected {exact:R} (tolerance {tolerance:E2})");
                }
            }
        }
    }

    /// <summary>Asserts that every C element outside the rows and columns written still has its old bits.</summary>
    public static void AssertUntouched(
        float[] before, float[] after, int ldc, int n, ISet<int> writtenRows, string context)
    {
        int stride = Math.Max(ldc, 1);
        for (int i = 0; i < after.Length; i++)
        {
            int row = i / stride;
            int column = i % stride;
            bool written = column < n && writtenRows.Contains(row);
            if (!written && BitConverter.SingleToInt32Bits(before[i]) != BitConverter.SingleToInt32Bits(after[i]))
            {
                Assert.Fail($"{context}: element {i} (row {row}, column {column}) outside the output changed.");
            }
        }
    }
}
