using TorchSparse.Autograd;
using TorchSparse.Nn;

namespace TorchSparse.Tests.Autograd;

/// <summary>
/// Convolutions on the tape. Without activations a conv chain is linear in each of its inputs (features, weights,
/// bias), so a central difference of the forward with h = 0.5 is exact up to float32 rounding: the tape's gradients
/// must equal it within 1e-4 relative to the largest. With a fused ReLU, the tape must equal the hand-chained
/// SparseConvGrad backward with the ReLU mask applied.
/// </summary>
public sealed class ConvTapeTests
{
    [Fact]
    public void Down_then_transposed_chain_gradients_match_differences()
    {
        SparseTensor x = Scene(seed: 1, channels: 3);
        var down = new Conv3d(3, 4, 2, stride: 2, bias: true, seed: 2);
        var up = new Conv3d(4, 2, 2, stride: 2, transposed: true, seed: 3);
        var subm = new Conv3d(2, 2, 3, seed: 4);
        Func<SparseTensor, Tensor> forward = input => subm.Forward(up.Forward(down.Forward(input))).Feats;
        Tensor probe = forward(x);
        Tensor seed = Values(probe.Size(0) * 2, 5, probe.Size(0), 2);

        using var tape = new GradientTape();
        Gradients grads = tape.Backward(forward(x), seed);

        AssertMatchesDifferences(grads.Of(x.Feats), x.Feats, f => forward(x.WithFeats(f)), seed);
        AssertMatchesDifferences(grads.Of(down.Weight), down.Weight, w => { down.LoadParameters(w, down.Bias); return forward(x); }, seed);
        AssertMatchesDifferences(grads.Of(down.Bias!), down.Bias!, b => { down.LoadParameters(down.Weight, b); return forward(x); }, seed);
        AssertMatchesDifferences(grads.Of(subm.Weight), subm.Weight, w => { subm.LoadParameters(w, null); return forward(x); }, seed);
    }

    [Fact]
    public void Fused_relu_conv_equals_the_hand_chained_backward()
    {
        SparseTensor x = Scene(seed: 6, channels: 4);
        var conv = new Conv3d(4, 5, 3, bias: true, seed: 7) { FuseRelu = true };
        using var tape = new GradientTape();
        SparseTensor y = conv.Forward(x);
        Tensor seed = Values(y.Count * 5, 8, y.Count, 5);
        Gradients grads = tape.Backward(y.Feats, seed);

        float[] s = seed.ToArray<float>(), out_ = y.Feats.ToArray<float>();
        Tensor masked = Tensor.From(s.Select((g, i) => out_[i] > 0 ? g : 0f).ToArray(), y.Count, 5);
        TorchSparse.Conv.ConvGradients expected =
            TorchSparse.Conv.SparseConvGrad.Backward(x, conv.Weight, conv.Geometry, masked, withBias: true);
        Assert.Equal(expected.InputGrad.ToArray<float>(), grads.Of(x.Feats)!.ToArray<float>());
        Assert.Equal(expected.WeightGrad.ToArray<float>(), grads.Of(conv.Weight)!.ToArray<float>());
        Assert.Equal(expected.BiasGrad!.ToArray<float>(), grads.Of(conv.Bias!)!.ToArray<float>());
    }

    private static void AssertMatchesDifferences(Tensor? grad, Tensor at, Func<Tensor, Tensor> forward, Tensor seed)
    {
        Assert.NotNull(grad);
        float[] x = at.ToArray<float>();
        float[] g = grad.ToArray<float>();
        float[] s = seed.ToArray<float>();
        double Loss(float[] v) => forward(Tensor.From(v, at.Shape)).ToArray<float>().Select((o, i) => (double)o * s[i]).Sum();
        const float h = 0.5f;
        var numeric = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            float[] up = (float[])x.Clone(), down = (float[])x.Clone();
            up[i] += h;
            down[i] -= h;
            numeric[i] = (Loss(up) - Loss(down)) / (2 * h);
        }

        forward(at);
        double largest = Math.Max(1e-3, numeric.Max(Math.Abs));
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Math.Abs(g[i] - numeric[i]) <= 1e-4 * largest, $"element {i}: tape {g[i]}, differences {numeric[i]}");
        }
    }

    private static SparseTensor Scene(int seed, int channels)
    {
        var random = new Random(seed);
        var cells = new HashSet<(int, int, int, int)>();
        while (cells.Count < 20)
        {
            cells.Add((random.Next(2), random.Next(5), random.Next(5), random.Next(4)));
        }

        int[] coords = cells.SelectMany(c => new[] { c.Item1, c.Item2, c.Item3, c.Item4 }).ToArray();
        return new SparseTensor(Values(cells.Count * channels, seed + 100, cells.Count, channels), Tensor.From(coords, cells.Count, 4));
    }

    private static Tensor Values(int count, int seed, params int[] shape)
    {
        var random = new Random(seed);
        return Tensor.From(Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray(), shape);
    }
}
