using TorchSparse.Gpu.OpenCl;

namespace TorchSparse.Gpu.Tests.Backend;

/// <summary>
/// Seeded inputs and the comparison every parity test uses: the OpenCL backend against the CPU backend on the same
/// data. Floats agree within <see cref="Tolerance"/> of the output's scale: the two sum the same products in
/// different orders (float32, about 1e-7 relative per term over at most a few thousand terms per output), so
/// 2e-5 x (1 + max |cpu|) bounds the difference with a wide margin while any wrong or missing term (about 1e-2 of
/// the scale here) fails. Integers compare exactly.
/// </summary>
internal static class ParityData
{
    public const float Tolerance = 2e-5f;

    public static Device Cl => OpenClDevices.Open();

    /// <summary><paramref name="n"/> distinct voxels in a small grid (neighbours are common) over two batches,
    /// shuffled.</summary>
    public static int[] Cloud(int n, int grid, int seed)
    {
        var random = new Random(seed);
        var chosen = new HashSet<long>();
        var coords = new List<int>(n * 4);
        while (coords.Count < n * 4)
        {
            int b = random.Next(2);
            int x = random.Next(grid);
            int y = random.Next(grid);
            int z = random.Next(grid);
            if (chosen.Add((((((long)b * grid) + x) * grid) + y) * grid + z))
            {
                coords.AddRange([b, x, y, z]);
            }
        }

        return [.. coords];
    }

    public static float[] Random(long length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (long i = 0; i < length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }

    public static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float scale = 1f;
        foreach (float v in expected)
        {
            scale = Math.Max(scale, Math.Abs(v) + 1f);
        }

        for (int i = 0; i < expected.Length; i++)
        {
            float difference = Math.Abs(expected[i] - actual[i]);
            if (!(difference <= Tolerance * scale))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]} on OpenCL and {expected[i]} on the CPU "
                    + $"(difference {difference}, allowed {Tolerance * scale}).");
            }
        }
    }
}
