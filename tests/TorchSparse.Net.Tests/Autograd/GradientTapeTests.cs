using TorchSparse.Autograd;
using TorchSparse.Functional;
using TorchSparse.Nn;

namespace TorchSparse.Tests.Autograd;

/// <summary>
/// Every recorded backward against central finite differences of a float64 reference of the same function:
/// L = sum(seed * f(inputs)), dL/dv = (L(v + h) - L(v - h)) / 2h with h = 1e-6 in float64. The tape's float32
/// gradients must agree within 1e-4 relative to the largest gradient (float32 forward and backward arithmetic).
/// </summary>
public sealed class GradientTapeTests
{
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData(0f)]
    [InlineData(0.1f)]
    public void Activation_gradient_matches_finite_differences(float slope)
    {
        SparseTensor x = Input(rows: 7, channels: 5, seed: 1);
        Tensor seed = Random(7 * 5, 2, 7, 5);
        using var tape = new GradientTape();
        SparseTensor y = slope == 0 ? SparseOps.Relu(x) : SparseOps.LeakyRelu(x, slope);
        Tensor? dx = tape.Backward(y.Feats, seed).Of(x.Feats);

        AssertGradient(dx, Values(x.Feats), v => Dot(seed, v.Select(a => a > 0 ? a : slope * a).ToArray()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Add_gradient_reaches_both_inputs(bool relu)
    {
        SparseTensor a = Input(6, 4, 3);
        SparseTensor b = new(Random(24, 4, 6, 4), a.Coords);
        Tensor seed = Random(24, 5, 6, 4);
        using var tape = new GradientTape();
        SparseTensor y = relu ? SparseOps.AddRelu(a, b) : SparseOps.Add(a, b);
        Gradients grads = tape.Backward(y.Feats, seed);

        double[] bv = Values(b.Feats);
        double[] av = Values(a.Feats);
        Func<double, double> act = relu ? v => Math.Max(v, 0) : v => v;
        AssertGradient(grads.Of(a.Feats), av, v => Dot(seed, v.Select((x, i) => act(x + bv[i])).ToArray()));
        AssertGradient(grads.Of(b.Feats), bv, v => Dot(seed, v.Select((x, i) => act(av[i] + x)).ToArray()));
    }

    [Fact]
    public void Cat_gradient_splits_columns()
    {
        SparseTensor a = Input(5, 3, 7);
        SparseTensor b = new(Random(10, 8, 5, 2), a.Coords);
        Tensor seed = Random(25, 9, 5, 5);
        using var tape = new GradientTape();
        SparseTensor y = SparseOps.Cat(a, b);
        Gradients grads = tape.Backward(y.Feats, seed);

        float[] s = seed.ToArray<float>();
        float[] expectedA = Enumerable.Range(0, 15).Select(i => s[((i / 3) * 5) + (i % 3)]).ToArray();
        float[] expectedB = Enumerable.Range(0, 10).Select(i => s[((i / 2) * 5) + 3 + (i % 2)]).ToArray();
        Assert.Equal(expectedA, grads.Of(a.Feats)!.ToArray<float>());
        Assert.Equal(expectedB, grads.Of(b.Feats)!.ToArray<float>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Linear_gradients_match_finite_differences(bool relu)
    {
        var linear = new Linear(4, 3);
        linear.LoadParameters(Random(12, 11, 3, 4), Random(3, 12, 3));
        Tensor x = Random(24, 13, 6, 4);
        Tensor seed = Random(18, 14, 6, 3);
        using var tape = new GradientTape();
        Tensor y = linear.Forward(x, relu);
        Gradients grads = tape.Backward(y, seed);

        double[] w = Values(linear.Weight), b = Values(linear.Bias!), xv = Values(x);
        double Loss(double[] xs, double[] ws, double[] bs)
        {
            var outputs = new double[18];
            for (int r = 0; r < 6; r++)
            {
                for (int o = 0; o < 3; o++)
                {
                    double v = bs[o];
                    for (int i = 0; i < 4; i++)
                    {
                        v += xs[(r * 4) + i] * ws[(o * 4) + i];
                    }

                    outputs[(r * 3) + o] = relu ? Math.Max(v, 0) : v;
                }
            }

            return Dot(seed, outputs);
        }

        AssertGradient(grads.Of(x), xv, v => Loss(v, w, b));
        AssertGradient(grads.Of(linear.Weight), w, v => Loss(xv, v, b));
        AssertGradient(grads.Of(linear.Bias!), b, v => Loss(xv, w, v));
    }

    [Fact]
    public void Linear_sees_weights_updated_in_place()
    {
        var linear = new Linear(2, 1, bias: false);
        linear.LoadParameters(Tensor.From([1f, 1f], 1, 2), null);
        Tensor x = Tensor.From([1f, 2f], 1, 2);
        linear.Forward(x);

        linear.Weight.AsSpan<float>()[1] = 3f;   // what an optimiser step does

        Assert.Equal(7f, linear.Forward(x).AsSpan<float>()[0]);
    }

    [Fact]
    public void BatchNorm_training_gradients_match_finite_differences()
    {
        var norm = new BatchNorm(3) { Training = true };
        Random(3, 21, 3).AsSpan<float>().CopyTo(norm.Weight.AsSpan<float>());
        Random(3, 22, 3).AsSpan<float>().CopyTo(norm.Bias.AsSpan<float>());
        SparseTensor x = Input(8, 3, 23);
        Tensor seed = Random(24, 24, 8, 3);
        using var tape = new GradientTape();
        SparseTensor y = norm.Forward(x);
        Gradients grads = tape.Backward(y.Feats, seed);

        double[] w = Values(norm.Weight), b = Values(norm.Bias), xv = Values(x.Feats);
        double Loss(double[] xs, double[] ws, double[] bs)
        {
            var outputs = new double[24];
            for (int j = 0; j < 3; j++)
            {
                double mean = Enumerable.Range(0, 8).Average(r => xs[(r * 3) + j]);
                double variance = Enumerable.Range(0, 8).Average(r => Math.Pow(xs[(r * 3) + j] - mean, 2));
                for (int r = 0; r < 8; r++)
                {
                    outputs[(r * 3) + j] = ((xs[(r * 3) + j] - mean) / Math.Sqrt(variance + 1e-5) * ws[j]) + bs[j];
                }
            }

            return Dot(seed, outputs);
        }

        AssertGradient(grads.Of(x.Feats), xv, v => Loss(v, w, b));
        AssertGradient(grads.Of(norm.Weight), w, v => Loss(xv, v, b));
        AssertGradient(grads.Of(norm.Bias), b, v => Loss(xv, w, v));
    }

    [Fact]
    public void BatchNorm_training_updates_running_statistics_like_pytorch()
    {
        var norm = new BatchNorm(1) { Training = true };
        var x = new SparseTensor(Tensor.From([1f, 2f, 3f, 6f], 4, 1), Coords(4));

        norm.Forward(x);

        // mean 3, unbiased variance 14/3: running = 0.9 * (0, 1) + 0.1 * (3, 14/3).
        Assert.Equal(0.3f, norm.RunningMean.AsSpan<float>()[0], 6);
        Assert.Equal(0.9f + (1.4f / 3f), norm.RunningVar.AsSpan<float>()[0], 6);
        Assert.Equal(1, norm.BatchesTracked);
    }

    [Fact]
    public void Gradients_of_a_shared_input_add_up()
    {
        SparseTensor x = Input(4, 2, 31);
        using var tape = new GradientTape();
        SparseTensor y = SparseOps.Add(SparseOps.Relu(x), x);
        Tensor dx = tape.Backward(y.Feats).Of(x.Feats)!;

        float[] xs = x.Feats.ToArray<float>();
        Assert.Equal(xs.Select(v => v > 0 ? 2f : 1f).ToArray(), dx.ToArray<float>());
    }

    [Fact]
    public void Nothing_is_recorded_without_a_tape()
    {
        SparseTensor x = Input(4, 2, 32);
        SparseOps.Relu(x);
        using var tape = new GradientTape();
        Assert.Equal(0, tape.StepCount);
        Assert.Null(tape.Backward(SparseOps.Relu(x).Feats).Of(Tensor.Zeros(DType.Float32, 1)));
    }

    private static void AssertGradient(Tensor? analytic, double[] point, Func<double[], double> loss)
    {
        Assert.NotNull(analytic);
        float[] g = analytic.ToArray<float>();
        Assert.Equal(point.Length, g.Length);
        const double h = 1e-6;
        var numeric = new double[point.Length];
        for (int i = 0; i < point.Length; i++)
        {
            double[] up = (double[])point.Clone(), down = (double[])point.Clone();
            up[i] += h;
            down[i] -= h;
            numeric[i] = (loss(up) - loss(down)) / (2 * h);
        }

        double scale = Math.Max(1e-3, numeric.Max(Math.Abs));
        for (int i = 0; i < g.Length; i++)
        {
            Assert.True(Math.Abs(g[i] - numeric[i]) <= Tolerance * scale,
                $"element {i}: tape {g[i]}, finite differences {numeric[i]}");
        }
    }

    private static double Dot(Tensor seed, double[] values)
    {
        float[] s = seed.ToArray<float>();
        return values.Select((v, i) => v * s[i]).Sum();
    }

    private static double[] Values(Tensor t) => t.ToArray<float>().Select(v => (double)v).ToArray();

    /// <summary>Values in [-1, -0.05] and [0.05, 1], away from the ReLU kink by more than the step.</summary>
    private static Tensor Random(int count, int seed, params int[] shape)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            float magnitude = 0.05f + (0.95f * (float)random.NextDouble());
            values[i] = random.Next(2) == 0 ? magnitude : -magnitude;
        }

        return Tensor.From(values, shape);
    }

    private static SparseTensor Input(int rows, int channels, int seed) =>
        new(Random(rows * channels, seed, rows, channels), Coords(rows));

    private static Tensor Coords(int rows) =>
        Tensor.From(Enumerable.Range(0, rows).SelectMany(r => new[] { 0, r, 0, 0 }).ToArray(), rows, 4);
}
