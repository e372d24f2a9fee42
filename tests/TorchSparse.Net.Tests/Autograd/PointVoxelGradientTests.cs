using TorchSparse.Autograd;
using TorchSparse.Functional;

namespace TorchSparse.Tests.Autograd;

/// <summary>
/// The point-voxel operators are linear in the features (the weights depend only on coordinates), so a central
/// difference of the forward itself is exact up to float32 rounding for any step: each recorded gradient must equal
/// (L(v + h) - L(v - h)) / 2h with h = 0.5 and L = sum(seed * output) summed in float64, within 1e-5 relative.
/// </summary>
public sealed class PointVoxelGradientTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Devoxelize_gradient_reaches_the_voxels(int stride)
    {
        (SparseTensor voxels, PointTensor points) = Scene(stride, seed: 1);
        Tensor seed = Values(points.Count * voxels.Channels, 2, points.Count, voxels.Channels);
        using var tape = new GradientTape();
        PointTensor z = PointVoxel.Devoxelize(voxels, points);
        Tensor? grad = tape.Backward(z.Feats, seed).Of(voxels.Feats);

        AssertMatchesDifferences(grad, voxels.Feats, f => PointVoxel.Devoxelize(voxels.WithFeats(f), points).Feats, seed);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Point_to_voxel_mean_gradient_reaches_the_points(int stride)
    {
        (SparseTensor voxels, PointTensor points) = Scene(stride, seed: 3);
        Tensor seed = Values(voxels.Count * points.Channels, 4, voxels.Count, points.Channels);
        using var tape = new GradientTape();
        SparseTensor x = PointVoxel.PointToVoxel(voxels, points);
        Tensor? grad = tape.Backward(x.Feats, seed).Of(points.Feats);

        AssertMatchesDifferences(grad, points.Feats, f => PointVoxel.PointToVoxel(voxels, points.WithFeats(f)).Feats, seed);
    }

    [Fact]
    public void Initial_voxelize_mean_gradient_reaches_the_points()
    {
        (_, PointTensor points) = Scene(1, seed: 5);
        (SparseTensor first, _) = PointVoxel.InitialVoxelize(points);
        Tensor seed = Values(first.Count * points.Channels, 6, first.Count, points.Channels);
        using var tape = new GradientTape();
        (SparseTensor voxels, _) = PointVoxel.InitialVoxelize(points);
        Tensor? grad = tape.Backward(voxels.Feats, seed).Of(points.Feats);

        AssertMatchesDifferences(grad, points.Feats, f => PointVoxel.InitialVoxelize(points.WithFeats(f)).Voxels.Feats, seed);
    }

    private static void AssertMatchesDifferences(Tensor? grad, Tensor input, Func<Tensor, Tensor> forward, Tensor seed)
    {
        Assert.NotNull(grad);
        float[] x = input.ToArray<float>();
        float[] g = grad.ToArray<float>();
        float[] s = seed.ToArray<float>();
        double Loss(float[] values) => forward(Tensor.From(values, input.Shape)).ToArray<float>().Select((v, i) => (double)v * s[i]).Sum();
        const float h = 0.5f;
        double largest = 1e-3;
        var numeric = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            float[] up = (float[])x.Clone(), down = (float[])x.Clone();
            up[i] += h;
            down[i] -= h;
            numeric[i] = (Loss(up) - Loss(down)) / (2 * h);
            largest = Math.Max(largest, Math.Abs(numeric[i]));
        }

        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Math.Abs(g[i] - numeric[i]) <= 1e-5 * largest, $"element {i}: tape {g[i]}, differences {numeric[i]}");
        }
    }

    /// <summary>Voxels at a stride and points with fractional coordinates around them (some sharing a voxel).</summary>
    private static (SparseTensor Voxels, PointTensor Points) Scene(int stride, int seed)
    {
        var random = new Random(seed);
        var cells = new HashSet<(int, int, int)>();
        while (cells.Count < 12)
        {
            cells.Add((random.Next(3), random.Next(3), random.Next(2)));
        }

        int[] coords = cells.SelectMany(c => new[] { 0, c.Item1, c.Item2, c.Item3 }).ToArray();
        var voxels = new SparseTensor(Values(cells.Count * 3, seed + 10, cells.Count, 3), Tensor.From(coords, cells.Count, 4), stride);
        const int n = 15;
        var points = new float[n * 4];
        for (int p = 0; p < n; p++)
        {
            points[(p * 4) + 1] = (float)(random.NextDouble() * 3 * stride);
            points[(p * 4) + 2] = (float)(random.NextDouble() * 3 * stride);
            points[(p * 4) + 3] = (float)(random.NextDouble() * 2 * stride);
        }

        return (voxels, new PointTensor(Values(n * 3, seed + 20, n, 3), Tensor.From(points, n, 4)));
    }

    private static Tensor Values(int count, int seed, params int[] shape)
    {
        var random = new Random(seed);
        return Tensor.From(Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray(), shape);
    }
}
