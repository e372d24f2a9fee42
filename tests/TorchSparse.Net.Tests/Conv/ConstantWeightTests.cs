using TorchSparse.Backends.Cpu;
using TorchSparse.Nn;
using TorchSparse.Tests.Ops;

namespace TorchSparse.Tests.Conv;

/// <summary>
/// A conv with BatchNorm folded in marks its weights constant, so the CPU backend packs them once and keeps the
/// panels; the results must be the bits of the same layer with ordinary (repacked every call) weights.
/// </summary>
public class ConstantWeightTests
{
    [Theory]
    [InlineData(3, 1)]
    [InlineData(2, 2)]
    [InlineData(1, 1)]
    public void Folded_weights_are_packed_once_and_give_the_bits_of_plain_weights(int kernel, int stride)
    {
        SparseTensor x = RandomClouds.Make(5, 3000, 8, grid: 24, batches: 1);
        var norm = new BatchNorm(20);
        Conv3d folded = norm.FoldInto(new Conv3d(8, 20, kernel, stride: stride, seed: 3));
        Conv3d plain = folded.WithParameters(Tensor.From(folded.Weight.ToArray<float>(), folded.Weight.Shape), folded.Bias);
        Assert.True(folded.Weight.Storage.IsConstant);
        Assert.False(plain.Weight.Storage.IsConstant);

        float[] expected = plain.Forward(x).Feats.ToArray<float>();
        Assert.Equal(expected, folded.Forward(x).Feats.ToArray<float>());
        Assert.True(CpuBackend.HoldsPacked(folded.Weight.Storage));
        Assert.False(CpuBackend.HoldsPacked(plain.Weight.Storage));
        Assert.Equal(expected, folded.Forward(x).Feats.ToArray<float>());
    }
}
