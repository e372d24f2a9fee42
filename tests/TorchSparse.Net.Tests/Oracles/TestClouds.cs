namespace TorchSparse.Tests.Oracles;

/// <summary>Seeded coordinate sets for the kernel-map and hash-table tests (flat [N*4] rows of b, x, y, z).</summary>
internal static class TestClouds
{
    /// <summary><paramref name="n"/> distinct voxels in [origin, origin + grid)^3 spread over
    /// <paramref name="batches"/> batches, in random row order. Small grids make neighbours common.</summary>
    public static int[] Random(int n, int batches, int grid, int seed, int origin = 0)
    {
        long cells = (long)grid * grid * grid * batches;
        if (n > cells)
        {
            throw new ArgumentOutOfRangeException(nameof(n), $"{n} voxels do not fit in {cells} cells.");
        }

        var random = new Random(seed);
        var chosen = new HashSet<long>();
        var coords = new int[n * 4];
        for (int row = 0; row < n;)
        {
            long cell = random.NextInt64(cells);
            if (chosen.Add(cell))
            {
                coords[row * 4] = (int)(cell / ((long)grid * grid * grid));
                coords[(row * 4) + 1] = origin + (int)(cell / (grid * grid) % grid);
                coords[(row * 4) + 2] = origin + (int)(cell / grid % grid);
                coords[(row * 4) + 3] = origin + (int)(cell % grid);
                row++;
            }
        }

        return coords;
    }

    /// <summary>The rows of <paramref name="coords"/> plus <paramref name="copies"/> repeats of random rows inserted at
    /// random places, so some coordinates are held by more than one row.</summary>
    public static int[] WithDuplicates(int[] coords, int copies, int seed)
    {
        var random = new Random(seed);
        var rows = Enumerable.Range(0, coords.Length / 4).Select(r => coords.AsSpan(r * 4, 4).ToArray()).ToList();
        for (int i = 0; i < copies && rows.Count > 0; i++)
        {
            int[] copy = rows[random.Next(rows.Count)];
            rows.Insert(random.Next(rows.Count + 1), (int[])copy.Clone());
        }

        return rows.SelectMany(r => r).ToArray();
    }

    /// <summary>The rows ordered by (b, x, y, z), the order quantize and strided builds produce (stable, so
    /// duplicated coordinates keep their relative order).</summary>
    public static int[] InKeyOrder(int[] coords) =>
        Enumerable.Range(0, coords.Length / 4)
            .OrderBy(r => coords[r * 4]).ThenBy(r => coords[(r * 4) + 1]).ThenBy(r => coords[(r * 4) + 2])
            .ThenBy(r => coords[(r * 4) + 3])
            .SelectMany(r => coords.AsSpan(r * 4, 4).ToArray())
            .ToArray();

    /// <summary>
    /// A LiDAR-like 2.5-D surface: a wavy height field over a square, one or two voxels thick, in sorted (b, x, y, z)
    /// order as a quantizer produces it. About <paramref name="n"/> voxels per batch.
    /// </summary>
    public static int[] Surface(int n, int batches = 1)
    {
        int side = (int)Math.Sqrt(n / 1.25);
        var coords = new List<int>(n * 4 * batches);
        for (int b = 0; b < batches; b++)
        {
            for (int x = 0; x < side; x++)
            {
                for (int y = 0; y < side; y++)
                {
                    double height = 64 + (20 * Math.Sin((x + (7 * b)) / 23.0) * Math.Cos(y / 31.0))
                        + (3 * Math.Sin(x * y / 97.0));
                    int z = (int)Math.Floor(height);
                    coords.AddRange([b, x, y, z]);
                    if (((x * 31) + (y * 17)) % 4 == 0)
                    {
                        coords.AddRange([b, x, y, z + 1]);
                    }
                }
            }
        }

        return coords.ToArray();
    }
}
