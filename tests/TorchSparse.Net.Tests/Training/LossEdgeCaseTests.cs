using TorchSparse.Training;

namespace TorchSparse.Tests.Training;

/// <summary>Ignored rows, absent classes, target dtypes, thread counts and bad arguments.</summary>
public sealed class LossEdgeCaseTests
{
    private static readonly Tensor Logits = Tensor.From(
        [0.5f, -1f, 2f, 0.1f, 0.3f, -0.2f, 1.5f, 0f, -2f, 0.7f, 0.2f, 0.4f], 4, 3);

    [Theory]
    [InlineData("cross-entropy", 255)]
    [InlineData("cross-entropy", -100)]
    [InlineData("lovasz", 255)]
    [InlineData("lovasz", -100)]
    public void All_targets_ignored_gives_zero_loss_and_zero_gradient(string loss, int ignore)
    {
        var targets = Tensor.From(new long[] { ignore, ignore, ignore, ignore }, 4);

        LossResult result = loss == "lovasz"
            ? Losses.LovaszSoftmax(Logits, targets, ignore)
            : Losses.CrossEntropy(Logits, targets, ignore);

        Assert.Equal(0.0, result.Value);
        Assert.All(result.Gradient.ToArray<float>(), g => Assert.Equal(0f, g));
        Assert.Equal(Logits.Shape, result.Gradient.Shape);
    }

    [Theory]
    [InlineData("cross-entropy")]
    [InlineData("lovasz")]
    public void Empty_batch_gives_zero_loss(string loss)
    {
        Tensor logits = Tensor.Zeros(DType.Float32, 0, 5);
        Tensor targets = Tensor.Zeros(DType.Int64, 0);

        LossResult result = loss == "lovasz" ? Losses.LovaszSoftmax(logits, targets) : Losses.CrossEntropy(logits, targets);

        Assert.Equal(0.0, result.Value);
        Assert.Equal([0, 5], result.Gradient.Shape);
    }

    [Fact]
    public void Ignored_rows_get_zero_gradient_and_do_not_change_the_loss()
    {
        var withIgnored = Tensor.From(new long[] { 2, 255, 0, 255 }, 4);
        var kept = Tensor.From(new[] { 0.5f, -1f, 2f, 1.5f, 0f, -2f }, 2, 3);
        var keptTargets = Tensor.From(new long[] { 2, 0 }, 2);

        foreach ((LossResult all, LossResult only) in new[]
        {
            (Losses.CrossEntropy(Logits, withIgnored, 255), Losses.CrossEntropy(kept, keptTargets, 255)),
            (Losses.LovaszSoftmax(Logits, withIgnored, 255), Losses.LovaszSoftmax(kept, keptTargets, 255)),
        })
        {
            Assert.Equal(only.Value, all.Value, 15);
            float[] g = all.Gradient.ToArray<float>();
            Assert.All(g.AsSpan(3, 3).ToArray().Concat(g.AsSpan(9, 3).ToArray()), v => Assert.Equal(0f, v));
            Assert.Equal(only.Gradient.ToArray<float>(), g.AsSpan(0, 3).ToArray().Concat(g.AsSpan(6, 3).ToArray()));
        }
    }

    [Fact]
    public void Lovasz_averages_over_present_classes_only()
    {
        // A fourth class that no target names and whose probability underflows to 0 changes nothing under
        // "present": it is skipped, so the mean stays over classes 0 and 2. Averaging over all classes would divide
        // by 4 instead of 3 (class 1 is absent too) and change the value.
        var targets = Tensor.From(new long[] { 2, 0, 0, 2 }, 4);
        float[] source = Logits.ToArray<float>();
        var widened = new float[16];
        for (int r = 0; r < 4; r++)
        {
            source.AsSpan(r * 3, 3).CopyTo(widened.AsSpan(r * 4, 3));
            widened[(r * 4) + 3] = -1e4f;
        }

        LossResult three = Losses.LovaszSoftmax(Logits, targets);
        LossResult four = Losses.LovaszSoftmax(Tensor.From(widened, 4, 4), targets);

        Assert.Equal(three.Value, four.Value, 15);
        Assert.InRange(three.Value, 0.01, 1.0);
        float[] g = four.Gradient.ToArray<float>();
        Assert.All(Enumerable.Range(0, 4), r => Assert.Equal(0f, g[(r * 4) + 3]));
    }

    [Fact]
    public void Lovasz_of_a_perfect_one_hot_prediction_is_zero()
    {
        var logits = Tensor.From(new[] { 50f, -50f, -50f, -50f, 50f, -50f }, 2, 3);
        LossResult result = Losses.LovaszSoftmax(logits, Tensor.From(new long[] { 0, 1 }, 2));
        Assert.Equal(0.0, result.Value, 12);
    }

    [Theory]
    [InlineData("cross-entropy")]
    [InlineData("lovasz")]
    public void Int32_and_int64_targets_give_identical_results(string loss)
    {
        var wide = Tensor.From(new long[] { 2, 255, 0, 1 }, 4);
        var narrow = Tensor.From(new[] { 2, 255, 0, 1 }, 4);

        LossResult a = loss == "lovasz" ? Losses.LovaszSoftmax(Logits, wide, 255) : Losses.CrossEntropy(Logits, wide, 255);
        LossResult b = loss == "lovasz" ? Losses.LovaszSoftmax(Logits, narrow, 255) : Losses.CrossEntropy(Logits, narrow, 255);

        Assert.Equal(a.Value, b.Value);
        Assert.Equal(a.Gradient.ToArray<float>(), b.Gradient.ToArray<float>());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    public void Lovasz_bits_do_not_depend_on_thread_count(int threads)
    {
        var random = new Random(5);
        float[] logits = Enumerable.Range(0, 3000 * 19).Select(_ => (float)((random.NextDouble() * 8) - 4)).ToArray();
        long[] targets = Enumerable.Range(0, 3000).Select(_ => (long)(random.Next(20) is 19 ? 255 : random.Next(19))).ToArray();
        var x = Tensor.From(logits, 3000, 19);
        var y = Tensor.From(targets, 3000);
        int saved = Device.CpuThreads;
        try
        {
            Device.CpuThreads = 1;
            LossResult reference = Losses.LovaszSoftmax(x, y, 255);
            Device.CpuThreads = threads;
            LossResult result = Losses.LovaszSoftmax(x, y, 255);
            Assert.Equal(reference.Value, result.Value);
            Assert.Equal(reference.Gradient.ToArray<float>(), result.Gradient.ToArray<float>());
        }
        finally
        {
            Device.CpuThreads = saved;
        }
    }

    [Fact]
    public void Cross_entropy_with_zero_total_weight_is_zero()
    {
        var weights = Tensor.From(new[] { 0f, 1f, 0f }, 3);
        LossResult result = Losses.CrossEntropy(Logits, Tensor.From(new long[] { 0, 2, 0, 2 }, 4), classWeights: weights);
        Assert.Equal(0.0, result.Value);
        Assert.All(result.Gradient.ToArray<float>(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Evidential_row_with_target_equal_to_gamma_has_no_regulariser_slope()
    {
        var outputs = Tensor.From(new[] { 0.25f, 1f, 2f, 0.5f }, 1, 4);
        EvidentialLossResult zero = Losses.EvidentialRegression(outputs, Tensor.From(new[] { 0.25f }, 1), lambda: 0);
        EvidentialLossResult one = Losses.EvidentialRegression(outputs, Tensor.From(new[] { 0.25f }, 1), lambda: 1);
        Assert.Equal(0.0, one.Regularizer);
        Assert.Equal(zero.Gradient.ToArray<float>(), one.Gradient.ToArray<float>());
        Assert.Equal(0f, one.Gradient.ToArray<float>()[0]);
    }

    [Fact]
    public void Evidential_empty_batch_is_zero()
    {
        EvidentialLossResult r = Losses.EvidentialRegression(
            Tensor.Zeros(DType.Float32, 0, 4), Tensor.Zeros(DType.Float32, 0), lambda: 0.01);
        Assert.Equal((0.0, 0.0, 0.0), (r.Value, r.Nll, r.Regularizer));
    }

    // ---- bad arguments: typed exceptions whose message names the parameter

    [Theory]
    [InlineData("logits_rank")]
    [InlineData("logits_zero_classes")]
    [InlineData("targets_rows")]
    [InlineData("targets_rank")]
    [InlineData("weights_length")]
    public void Cross_entropy_bad_shapes_throw_shape_mismatch(string fault)
    {
        (Tensor logits, Tensor targets, Tensor? weights, string parameter) = fault switch
        {
            "logits_rank" => (Tensor.Zeros(DType.Float32, 12), Tensor.Zeros(DType.Int64, 12), null, "logits"),
            "logits_zero_classes" => (Tensor.Zeros(DType.Float32, 4, 0), Tensor.Zeros(DType.Int64, 4), null, "logits"),
            "targets_rows" => (Logits, Tensor.Zeros(DType.Int64, 3), null, "targets"),
            "targets_rank" => (Logits, Tensor.Zeros(DType.Int64, 4, 1), null, "targets"),
            _ => (Logits, Tensor.Zeros(DType.Int64, 4), Tensor.Zeros(DType.Float32, 4), "classWeights"),
        };

        var e = Assert.Throws<ShapeMismatchException>(() => Losses.CrossEntropy(logits, targets, 255, weights));
        Assert.StartsWith(parameter, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("logits")]
    [InlineData("targets")]
    [InlineData("classWeights")]
    public void Cross_entropy_bad_dtypes_throw_dtype_mismatch(string parameter)
    {
        Tensor logits = parameter == "logits" ? Logits.To(DType.Float16) : Logits;
        Tensor targets = parameter == "targets" ? Tensor.Zeros(DType.Float32, 4) : Tensor.Zeros(DType.Int64, 4);
        Tensor? weights = parameter == "classWeights" ? Tensor.Zeros(DType.Int32, 3) : null;

        var e = Assert.Throws<DTypeMismatchException>(() => Losses.CrossEntropy(logits, targets, 255, weights));
        Assert.StartsWith(parameter, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cross-entropy", 3)]
    [InlineData("cross-entropy", -1)]
    [InlineData("cross-entropy", 254)]
    [InlineData("lovasz", 3)]
    [InlineData("lovasz", -100)]
    public void Target_outside_the_classes_throws_naming_the_row(string loss, long bad)
    {
        var targets = Tensor.From(new long[] { 0, 1, bad, 2 }, 4);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => loss == "lovasz"
            ? Losses.LovaszSoftmax(Logits, targets, 255)
            : Losses.CrossEntropy(Logits, targets, 255));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("targets[2]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Int64_target_beyond_int32_throws_out_of_range()
    {
        var targets = Tensor.From(new long[] { 0, 1, 1L << 40, 2 }, 4);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Losses.CrossEntropy(Logits, targets));
        Assert.Equal("targets", e.ParamName);
    }

    [Theory]
    [InlineData("outputs_width")]
    [InlineData("outputs_rank")]
    [InlineData("targets_rows")]
    [InlineData("targets_rank")]
    public void Evidential_bad_shapes_throw_shape_mismatch(string fault)
    {
        (Tensor outputs, Tensor targets, string parameter) = fault switch
        {
            "outputs_width" => (Tensor.Zeros(DType.Float32, 3, 3), Tensor.Zeros(DType.Float32, 3), "outputs"),
            "outputs_rank" => (Tensor.Zeros(DType.Float32, 12), Tensor.Zeros(DType.Float32, 3), "outputs"),
            "targets_rows" => (Tensor.Zeros(DType.Float32, 3, 4), Tensor.Zeros(DType.Float32, 4), "targets"),
            _ => (Tensor.Zeros(DType.Float32, 3, 4), Tensor.Zeros(DType.Float32, 3, 1), "targets"),
        };

        var e = Assert.Throws<ShapeMismatchException>(() => Losses.EvidentialRegression(outputs, targets, 0.01));
        Assert.StartsWith(parameter, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("outputs")]
    [InlineData("targets")]
    public void Evidential_bad_dtypes_throw_dtype_mismatch(string parameter)
    {
        Tensor outputs = Tensor.Zeros(parameter == "outputs" ? DType.Float16 : DType.Float32, 2, 4);
        Tensor targets = Tensor.Zeros(parameter == "targets" ? DType.Int64 : DType.Float32, 2);
        var e = Assert.Throws<DTypeMismatchException>(() => Losses.EvidentialRegression(outputs, targets, 0.01));
        Assert.StartsWith(parameter, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 0f)]
    [InlineData(1, -0.5f)]
    [InlineData(2, 0f)]
    [InlineData(3, 0f)]
    [InlineData(3, float.NaN)]
    public void Evidential_parameters_outside_their_domain_throw(int column, float value)
    {
        float[] data = [0f, 1f, 2f, 1f, 0.5f, 1f, 2f, 1f];
        data[4 + column] = value;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Losses.EvidentialRegression(Tensor.From(data, 2, 4), Tensor.Zeros(DType.Float32, 2), 0.01));
        Assert.Equal("outputs", e.ParamName);
        Assert.Contains("row 1", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Evidential_lambda_must_be_finite_and_non_negative(double lambda)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Losses.EvidentialRegression(
            Tensor.From(new[] { 0f, 1f, 2f, 1f }, 1, 4), Tensor.Zeros(DType.Float32, 1), lambda));
        Assert.Equal("lambda", e.ParamName);
    }
}
