using TorchSparse.Autograd;
using TorchSparse.Functional;
using TorchSparse.Nn;

namespace TorchSparse.Tests.Autograd;

/// <summary>
/// Training BatchNorm's vectorised, multithreaded loops against the plain float64 formulas, row by row, on batches
/// of many row blocks and channel counts with and without a vector tail; and the activation gradient against its
/// scalar definition, bit for bit (the Simd category reruns both at narrower vector widths).
/// </summary>
[Trait("Category", "Simd")]
public sealed class BatchNormTrainingTests
{
    [Theory]
    [InlineData(3001, 13)]
    [InlineData(700, 40)]
    [InlineData(2, 3)]
    public void Forward_and_backward_equal_the_float64_formulas(int n, int c)
    {
        var random = new Random(n + c);
        float[] x = Enumerable.Range(0, n * c).Select(i => (float)((random.NextDouble() * 4) - 1 + (i % c))).ToArray();
        float[] seed = Enumerable.Range(0, n * c).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var norm = new BatchNorm(c) { Training = true };
        for (int j = 0; j < c; j++)
        {
            norm.Weight.AsSpan<float>()[j] = 0.5f + (j * 0.1f);
            norm.Bias.AsSpan<float>()[j] = j * -0.05f;
        }

        int[] coords = Enumerable.Range(0, n).SelectMany(r => new[] { 0, r, 0, 0 }).ToArray();
        var input = new SparseTensor(Tensor.From(x, n, c), Tensor.From(coords, n, 4));
        using var tape = new GradientTape();
        SparseTensor y = norm.Forward(input);
        Gradients grads = tape.Backward(y.Feats, Tensor.From(seed, n, c));

        (float[] yRef, float[] dxRef, float[] dwRef, float[] dbRef) =
            Reference(x, seed, n, c, norm.Weight.ToArray<float>(), norm.Bias.ToArray<float>());
        AssertClose(yRef, y.Feats.ToArray<float>());
        AssertClose(dxRef, grads.Of(input.Feats)!.ToArray<float>());
        AssertClose(dwRef, grads.Of(norm.Weight)!.ToArray<float>());
        AssertClose(dbRef, grads.Of(norm.Bias)!.ToArray<float>());
    }

    [Theory]
    [InlineData(3001, 13)]
    [InlineData(300, 64)]
    public void A_fused_relu_gives_the_bits_of_batchnorm_then_relu(int n, int c)
    {
        var random = new Random(n * c);
        float[] x = Enumerable.Range(0, n * c).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        float[] seed = Enumerable.Range(0, n * c).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        float[][] Run(bool fused)
        {
            var norm = new BatchNorm(c) { Training = true, FuseRelu = fused };
            int[] coords = Enumerable.Range(0, n).SelectMany(r => new[] { 0, r, 0, 0 }).ToArray();
            var input = new SparseTensor(Tensor.From(x, n, c), Tensor.From(coords, n, 4));
            using var tape = new GradientTape();
            SparseTensor y = fused ? norm.Forward(input) : SparseOps.Relu(norm.Forward(input));
            Gradients grads = tape.Backward(y.Feats, Tensor.From(seed, n, c));
            return [y.Feats.ToArray<float>(), grads.Of(input.Feats)!.ToArray<float>(),
                grads.Of(norm.Weight)!.ToArray<float>(), grads.Of(norm.Bias)!.ToArray<float>()];
        }

        Assert.Equal(Run(fused: false), Run(fused: true));
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.1f)]
    public void Activation_gradient_is_the_scalar_definition_bit_for_bit(float slope)
    {
        float[] x = [1f, -1f, 0f, -0f, float.NaN, 2f, -3f, 1e-30f, 5f, -5f, 0.5f, -0.5f, 7f, -7f, 8f, -8f, 9f, -9f, 3f];
        float[] g = x.Select((_, i) => (i % 3) - 1.5f).ToArray();
        int[] coords = Enumerable.Range(0, x.Length).SelectMany(r => new[] { 0, r, 0, 0 }).ToArray();
        var input = new SparseTensor(Tensor.From(x, x.Length, 1), Tensor.From(coords, x.Length, 4));
        using var tape = new GradientTape();
        SparseTensor y = slope == 0 ? SparseOps.Relu(input) : SparseOps.LeakyRelu(input, slope);
        float[] dx = tape.Backward(y.Feats, Tensor.From(g, x.Length, 1)).Of(input.Feats)!.ToArray<float>();

        Assert.Equal(x.Select((v, i) => v > 0 ? g[i] : slope * g[i]).ToArray(), dx);
    }

    private static (float[] Y, float[] Dx, float[] Dw, float[] Db) Reference(
        float[] x, float[] g, int n, int c, float[] w, float[] b)
    {
        float[] y = new float[n * c], dx = new float[n * c], dw = new float[c], db = new float[c];
        for (int j = 0; j < c; j++)
        {
            double mean = Enumerable.Range(0, n).Sum(r => (double)x[(r * c) + j]) / n;
            double variance = Enumerable.Range(0, n).Sum(r => Math.Pow(x[(r * c) + j] - mean, 2)) / n;
            float invStd = (float)(1 / Math.Sqrt(variance + 1e-5));
            float H(int r) => (float)((x[(r * c) + j] - mean) * invStd);
            double sumG = Enumerable.Range(0, n).Sum(r => (double)g[(r * c) + j]);
            double sumGh = Enumerable.Range(0, n).Sum(r => g[(r * c) + j] * (double)H(r));
            for (int r = 0; r < n; r++)
            {
                int i = (r * c) + j;
                y[i] = (H(r) * w[j]) + b[j];
                dx[i] = (float)(w[j] * invStd * (g[i] - (sumG / n) - (H(r) * sumGh / n)));
            }

            dw[j] = (float)sumGh;
            db[j] = (float)sumG;
        }

        return (y, dx, dw, db);
    }

    /// <summary>Equal but for float64 sums taken in another order: a few float32 ulps of the largest value.</summary>
    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        float scale = expected.Max(MathF.Abs);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 4e-7f * scale, $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
