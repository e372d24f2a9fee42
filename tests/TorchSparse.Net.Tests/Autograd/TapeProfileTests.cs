using TorchSparse.Autograd;
using TorchSparse.Functional;
using TorchSparse.Nn;

namespace TorchSparse.Tests.Autograd;

/// <summary>A profiled tape times every category a conv + BatchNorm + ReLU step runs, and nothing without a profile.</summary>
public sealed class TapeProfileTests
{
    [Fact]
    public void A_conv_bn_relu_step_fills_every_category()
    {
        var random = new Random(1);
        int rows = 500;
        float[] values = Enumerable.Range(0, rows * 4).Select(_ => (float)random.NextDouble()).ToArray();
        int[] coords = Enumerable.Range(0, rows).SelectMany(r => new[] { 0, r % 10, r / 10 % 10, r / 100 }).ToArray();
        var x = new SparseTensor(Tensor.From(values, rows, 4), Tensor.From(coords, rows, 4));
        var conv = new Conv3d(4, 8, 3, seed: 2);
        var norm = new BatchNorm(8) { Training = true };
        var profile = new TapeProfile();

        using (var tape = new GradientTape { Profile = profile })
        {
            tape.Backward(SparseOps.Relu(norm.Forward(conv.Forward(x))).Feats);
        }

        string[] expected = [TapeProfile.KernelMaps, TapeProfile.Convs, TapeProfile.BatchNorm, TapeProfile.OtherBackward];
        Assert.Equal(expected.Order(), profile.Milliseconds.Keys.Order());
        Assert.All(profile.Milliseconds.Values, ms => Assert.True(ms > 0));
    }
}
