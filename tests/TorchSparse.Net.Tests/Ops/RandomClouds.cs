namespace TorchSparse.Tests.Ops;

/// <summary>Seeded random sparse tensors for op tests: distinct voxels in a small grid so neighbours exist.</summary>
internal static class RandomClouds
{
    public static SparseTensor Make(int seed, int count, int channels, int grid = 12, int batches = 1)
    {
        var random = new Random(seed);
        var seen = new HashSet<(int, int, int, int)>();
        var coords = new List<int>();
        while (seen.Count < count)
        {
            var c = (random.Next(batches), random.Next(grid), random.Next(grid), random.Next(grid));
            if (seen.Add(c))
            {
                coords.AddRange([c.Item1, c.Item2, c.Item3, c.Item4]);
            }
        }

        return new SparseTensor(Tensor.From(Values(random, count * channels), count, channels),
            Tensor.From(coords.ToArray(), count, 4));
    }

    public static float[] Values(Random random, int n)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return v;
    }
}
