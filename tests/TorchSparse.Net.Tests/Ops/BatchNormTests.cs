using TorchSparse.Nn;

namespace TorchSparse.Tests.Ops;

public class BatchNormTests
{
    [Theory]
    [InlineData(1, 8)]
    [InlineData(3, 17)]
    public void Folding_into_the_conv_equals_conv_then_batchnorm(int kernel, int channels)
    {
        SparseTensor x = RandomClouds.Make(21, 400, 5);
        var conv = new Conv3d(5, channels, kernel, bias: kernel == 1, seed: 3);
        var bn = new BatchNorm(channels);
        var random = new Random(4);
        for (int c = 0; c < channels; c++)
        {
            bn.Weight.AsSpan<float>()[c] = (float)random.NextDouble() + 0.5f;
            bn.Bias.AsSpan<float>()[c] = (float)random.NextDouble() - 0.5f;
            bn.RunningMean.AsSpan<float>()[c] = (float)random.NextDouble() - 0.5f;
            bn.RunningVar.AsSpan<float>()[c] = (float)random.NextDouble() + 0.1f;
        }

        float[] separate = bn.Forward(conv.Forward(x)).Feats.ToArray<float>();
        float[] folded = bn.FoldInto(conv).Forward(x).Feats.ToArray<float>();
        for (int i = 0; i < separate.Length; i++)
        {
            // Two roundings differ (scale applied before vs after the sum): float32 tolerance relative to magnitude.
            Assert.True(Math.Abs(separate[i] - folded[i]) <= 1e-5f * (1 + Math.Abs(separate[i])), $"element {i}: {separate[i]} vs {folded[i]}");
        }
    }

    [Fact]
    public void BatchNorm_is_the_inference_formula()
    {
        var bn = new BatchNorm(2, eps: 1e-3f);
        bn.Weight.AsSpan<float>()[0] = 2; bn.Bias.AsSpan<float>()[0] = 1; bn.RunningMean.AsSpan<float>()[0] = 0.5f; bn.RunningVar.AsSpan<float>()[0] = 4;
        SparseTensor x = RandomClouds.Make(1, 3, 2).WithFeats(Tensor.From(new[] { 1f, 1, 2, 2, 3, 3 }, 3, 2));
        float[] y = bn.Forward(x).Feats.ToArray<float>();
        for (int r = 0; r < 3; r++)
        {
            float v = r + 1;
            Assert.Equal(((v - 0.5f) / MathF.Sqrt(4.001f) * 2) + 1, y[r * 2], 5);
            Assert.Equal(v / MathF.Sqrt(1.001f), y[(r * 2) + 1], 5);
        }
    }
}
