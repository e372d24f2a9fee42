using TorchSparse.Autograd;
using TorchSparse.Conv;
using TorchSparse.Functional;

namespace TorchSparse.Tests.Autograd;

/// <summary>
/// Pooling on the tape against central differences. Features are distinct multiples of 0.05, so with h = 0.01 no
/// maximum changes hands inside a difference and max pooling is linear there: the difference is exact up to float32
/// rounding and the tape must equal it within 1e-4 relative.
/// </summary>
public sealed class PoolingGradientTests
{
    public static TheoryData<string> Kinds => ["global-avg", "global-max", "max-pool-2", "max-pool-3"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Gradients_match_differences(string kind)
    {
        SparseTensor x = Scene(channels: 3);
        Func<SparseTensor, Tensor> forward = kind switch
        {
            "global-avg" => t => Pooling.GlobalAvgPool(t),
            "global-max" => t => Pooling.GlobalMaxPool(t),
            "max-pool-2" => t => Pooling.MaxPool3d(t, new ConvGeometry(2, stride: 2)).Feats,
            _ => t => Pooling.MaxPool3d(t, new ConvGeometry(3)).Feats,
        };
        Tensor probe = forward(x);
        var random = new Random(4);
        float[] seed = [.. Enumerable.Range(0, (int)probe.Length).Select(_ => (float)((random.NextDouble() * 2) - 1))];

        Tensor? grad;
        using (var tape = new GradientTape())
        {
            grad = tape.Backward(forward(x), Tensor.From(seed, probe.Shape)).Of(x.Feats);
        }

        Assert.NotNull(grad);
        float[] at = x.Feats.ToArray<float>(), g = grad.ToArray<float>();
        double Loss(float[] v) => forward(x.WithFeats(Tensor.From(v, x.Feats.Shape))).ToArray<float>().Select((o, i) => (double)o * seed[i]).Sum();
        const float h = 0.01f;
        double largest = 0;
        var numeric = new double[at.Length];
        for (int i = 0; i < at.Length; i++)
        {
            float[] up = (float[])at.Clone(), down = (float[])at.Clone();
            up[i] += h;
            down[i] -= h;
            numeric[i] = (Loss(up) - Loss(down)) / (2 * h);
            largest = Math.Max(largest, Math.Abs(numeric[i]));
        }

        for (int i = 0; i < at.Length; i++)
        {
            Assert.True(Math.Abs(g[i] - numeric[i]) <= 1e-4 * largest, $"element {i}: tape {g[i]}, differences {numeric[i]}");
        }
    }

    private static SparseTensor Scene(int channels)
    {
        var random = new Random(3);
        var cells = new HashSet<(int, int, int, int)>();
        while (cells.Count < 24)
        {
            cells.Add((random.Next(2), random.Next(5), random.Next(5), random.Next(4)));
        }

        int[] coords = [.. cells.SelectMany(c => new[] { c.Item1, c.Item2, c.Item3, c.Item4 })];
        int count = cells.Count * channels;
        float[] values = [.. Enumerable.Range(0, count).Select(i => (i - (count / 2)) * 0.05f).OrderBy(_ => random.Next())];
        return new SparseTensor(Tensor.From(values, cells.Count, channels), Tensor.From(coords, cells.Count, 4));
    }
}
