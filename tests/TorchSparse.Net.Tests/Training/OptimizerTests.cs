using TorchSparse.Checkpoints;
using TorchSparse.Training;

namespace TorchSparse.Tests.Training;

/// <summary>Resuming from saved state, argument checks, state-dict checks and clipping edge cases.</summary>
public sealed class OptimizerTests : IDisposable
{
    private readonly string tempDir = Directory.CreateTempSubdirectory("optimizer-tests-").FullName;

    public void Dispose() => Directory.Delete(tempDir, recursive: true);

    public static TheoryData<string> Kinds() => ["sgd", "sgd-plain", "adamw"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Resuming_from_a_safetensors_state_file_continues_bit_for_bit(string kind)
    {
        // Six steps in one run against three steps, a save through safetensors, a fresh optimiser loaded from the
        // file, and three more steps: same parameter bits and the same state.
        (Tensor Weight, Tensor Bias) straight = Initial();
        Optimizer uninterrupted = Create(kind);
        for (int step = 0; step < 6; step++)
        {
            uninterrupted.Step(Entries(straight, step));
        }

        (Tensor Weight, Tensor Bias) resumed = Initial();
        Optimizer first = Create(kind);
        for (int step = 0; step < 3; step++)
        {
            first.Step(Entries(resumed, step));
        }

        string path = Path.Combine(tempDir, "optimizer.safetensors");
        Safetensors.Save(path, first.StateDict());
        Optimizer second = Create(kind);
        second.LoadStateDict(TorchCheckpoint.Load(path));
        for (int step = 3; step < 6; step++)
        {
            second.Step(Entries(resumed, step));
        }

        Assert.Equal(straight.Weight.ToArray<float>(), resumed.Weight.ToArray<float>());
        Assert.Equal(straight.Bias.ToArray<float>(), resumed.Bias.ToArray<float>());
        IReadOnlyDictionary<string, Tensor> a = uninterrupted.StateDict();
        IReadOnlyDictionary<string, Tensor> b = second.StateDict();
        Assert.Equal(a.Keys.Order(StringComparer.Ordinal), b.Keys.Order(StringComparer.Ordinal));
        foreach (string key in a.Keys)
        {
            Assert.Equal(a[key].Shape, b[key].Shape);
            if (a[key].DType == DType.Int64)
            {
                Assert.Equal(a[key].ToArray<long>(), b[key].ToArray<long>());
            }
            else
            {
                Assert.Equal(a[key].ToArray<float>(), b[key].ToArray<float>());
            }
        }
    }

    [Fact]
    public void State_dict_is_a_copy()
    {
        var sgd = new Sgd(0.1, momentum: 0.9);
        (Tensor w, Tensor b) = Initial();
        sgd.Step(Entries((w, b), 0));
        Tensor saved = sgd.StateDict()["w.momentum_buffer"];
        saved.AsSpan<float>().Fill(123f);
        Assert.DoesNotContain(123f, sgd.StateDict()["w.momentum_buffer"].ToArray<float>());
    }

    [Fact]
    public void State_follows_the_name_when_the_parameter_tensor_is_replaced()
    {
        // A checkpoint load swaps a layer's tensor; the optimiser keys state by name, so momentum carries over.
        var sgd = new Sgd(0.1, momentum: 0.9);
        var g = Tensor.From(new[] { 1f, 1f }, 2);
        sgd.Step([new ParameterGradient("p", Tensor.From(new[] { 0f, 0f }, 2), g)]);
        var replacement = Tensor.From(new[] { 0f, 0f }, 2);
        sgd.Step([new ParameterGradient("p", replacement, g)]);
        Assert.Equal(new[] { -0.19f, -0.19f }, replacement.ToArray<float>());
    }

    [Fact]
    public void A_parameter_without_gradient_is_untouched_and_keeps_no_new_state()
    {
        var adamw = new AdamW();
        (Tensor w, Tensor b) = Initial();
        float[] before = b.ToArray<float>();
        adamw.Step([new ParameterGradient("w", w, Gradient(w, 0)), new ParameterGradient("b", b, null)]);
        Assert.Equal(before, b.ToArray<float>());
        Assert.Equal(["w.exp_avg", "w.exp_avg_sq", "w.step"], adamw.StateDict().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Sgd_with_weight_decay_and_zero_gradient_shrinks_the_parameter()
    {
        var sgd = new Sgd(0.5, weightDecay: 0.1);
        var p = Tensor.From(new[] { 2f }, 1);
        sgd.Step([new ParameterGradient("p", p, Tensor.Zeros(DType.Float32, 1))]);
        Assert.Equal(2f - (0.5f * 0.2f), p.ToArray<float>()[0]);
    }

    [Theory]
    [InlineData("gradient_shape")]
    [InlineData("gradient_dtype")]
    [InlineData("parameter_dtype")]
    [InlineData("state_shape")]
    public void Bad_entries_throw_and_change_nothing(string fault)
    {
        var sgd = new Sgd(0.1, momentum: 0.9);
        (Tensor w, Tensor b) = Initial();
        sgd.Step(Entries((w, b), 0));
        float[] weightBefore = w.ToArray<float>();
        IReadOnlyDictionary<string, Tensor> stateBefore = sgd.StateDict();

        ParameterGradient bad = fault switch
        {
            "gradient_shape" => new ParameterGradient("b", b, Tensor.Zeros(DType.Float32, 2)),
            "gradient_dtype" => new ParameterGradient("b", b, Gradient(b, 1).To(DType.Float16)),
            "parameter_dtype" => new ParameterGradient("b", b.To(DType.Float16), Gradient(b, 1)),
            _ => new ParameterGradient("b", Tensor.Zeros(DType.Float32, 2), Tensor.Zeros(DType.Float32, 2)),
        };
        SparseEngineException e = fault.EndsWith("dtype", StringComparison.Ordinal)
            ? Assert.Throws<DTypeMismatchException>(() => sgd.Step([new ParameterGradient("w", w, Gradient(w, 1)), bad]))
            : Assert.Throws<ShapeMismatchException>(() => sgd.Step([new ParameterGradient("w", w, Gradient(w, 1)), bad]));

        Assert.Contains("'b", e.Message, StringComparison.Ordinal);
        Assert.Equal(weightBefore, w.ToArray<float>());  // checked before anything was updated
        Assert.Equal(stateBefore["w.momentum_buffer"].ToArray<float>(), sgd.StateDict()["w.momentum_buffer"].ToArray<float>());
    }

    [Theory]
    [InlineData("")]
    [InlineData("w")]
    public void Empty_or_repeated_names_throw(string secondName)
    {
        (Tensor w, Tensor b) = Initial();
        var e = Assert.Throws<ArgumentException>(() => new Sgd(0.1).Step(
            [new ParameterGradient("w", w, Gradient(w, 0)), new ParameterGradient(secondName, b, Gradient(b, 0))]));
        Assert.Equal("parameters", e.ParamName);
    }

    [Theory]
    [InlineData("sgd", "w.exp_avg")]
    [InlineData("sgd", "nodot")]
    [InlineData("sgd", "w.momentum_buffer:int64")]
    [InlineData("adamw", "w.momentum_buffer")]
    [InlineData("adamw", "w.exp_avg")]
    [InlineData("adamw", "w.step:float32")]
    [InlineData("adamw", "w.step:negative")]
    [InlineData("adamw", "w.exp_avg_sq:shape")]
    public void Malformed_state_dicts_are_rejected(string kind, string fault)
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        if (kind == "adamw" && fault != "w.exp_avg")
        {
            state["w.exp_avg"] = Tensor.Zeros(DType.Float32, 3);
            state["w.exp_avg_sq"] = Tensor.Zeros(DType.Float32, 3);
            state["w.step"] = Tensor.From<long>([2], []);
        }

        string key = fault.Split(':')[0];
        state[key] = fault.Split(':').ElementAtOrDefault(1) switch
        {
            "int64" => Tensor.Zeros(DType.Int64, 3),
            "float32" => Tensor.Zeros(DType.Float32, 1),
            "negative" => Tensor.From<long>([-1], []),
            "shape" => Tensor.Zeros(DType.Float32, 4),
            _ => Tensor.Zeros(DType.Float32, 3),
        };
        Optimizer optimizer = kind == "sgd" ? new Sgd(0.1, momentum: 0.9) : new AdamW();

        var e = Assert.Throws<ArgumentException>(() => optimizer.LoadStateDict(state));
        Assert.Equal("state", e.ParamName);
    }

    [Fact]
    public void Loaded_state_of_another_shape_is_reported_at_the_next_step()
    {
        var sgd = new Sgd(0.1, momentum: 0.9);
        sgd.LoadStateDict(new Dictionary<string, Tensor> { ["w.momentum_buffer"] = Tensor.Zeros(DType.Float32, 5) });
        (Tensor w, _) = Initial();
        var e = Assert.Throws<ShapeMismatchException>(() => sgd.Step([new ParameterGradient("w", w, Gradient(w, 0))]));
        Assert.Contains("w.momentum_buffer", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lr", -1.0)]
    [InlineData("lr", double.NaN)]
    [InlineData("momentum", -0.1)]
    [InlineData("weightDecay", -1e-4)]
    [InlineData("beta1", 1.0)]
    [InlineData("beta2", -0.1)]
    [InlineData("epsilon", -1e-8)]
    public void Hyper_parameters_are_checked(string name, double value)
    {
        Assert.ThrowsAny<ArgumentException>(() => name switch
        {
            "lr" => new Sgd(value),
            "momentum" => new Sgd(0.1, momentum: value),
            "weightDecay" => new AdamW(weightDecay: value),
            "beta1" => new AdamW(beta1: value),
            "beta2" => (object)new AdamW(beta2: value),
            _ => new AdamW(epsilon: value),
        });
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.9, 0.1)]
    public void Nesterov_needs_momentum_and_no_dampening(double momentum, double dampening) =>
        Assert.Throws<ArgumentException>(() => new Sgd(0.1, momentum, dampening, nesterov: true));

    [Fact]
    public void Learning_rate_setter_rejects_negative_values() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW().LearningRate = -1e-3);

    // ---- gradient clipping

    [Fact]
    public void Clipping_zero_gradients_returns_zero_and_leaves_them()
    {
        var g = Tensor.Zeros(DType.Float32, 4, 3);
        Assert.Equal(0.0, GradientClipping.ClipByGlobalNorm([g, null], maxNorm: 1.0));
        Assert.All(g.ToArray<float>(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Clipping_no_gradients_returns_zero() =>
        Assert.Equal(0.0, GradientClipping.ClipByGlobalNorm([], maxNorm: 1.0));

    [Fact]
    public void Clipping_scales_to_the_maximum_norm()
    {
        var a = Tensor.From(new[] { 3f, 0f }, 2);
        var b = Tensor.From(new[] { 4f }, 1);
        Assert.Equal(5.0, GradientClipping.ClipByGlobalNorm([a, b], maxNorm: 1.0));
        double after = Math.Sqrt(a.ToArray<float>().Concat(b.ToArray<float>()).Sum(v => (double)v * v));
        Assert.Equal(1.0, after, 6);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Clipping_non_finite_gradients_reports_the_norm_and_leaves_them(float bad)
    {
        var g = Tensor.From(new[] { 1f, bad, 2f }, 3);
        double norm = GradientClipping.ClipByGlobalNorm([g], maxNorm: 1.0);
        Assert.False(double.IsFinite(norm));
        Assert.Equal(new[] { 1f, bad, 2f }, g.ToArray<float>());
    }

    [Fact]
    public void Clipping_checks_dtype_and_max_norm()
    {
        var e = Assert.Throws<DTypeMismatchException>(
            () => GradientClipping.ClipByGlobalNorm([Tensor.Zeros(DType.Float32, 2), Tensor.Zeros(DType.Float16, 2)], 1));
        Assert.StartsWith("gradients[1]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm([], -1));
    }

    private static Optimizer Create(string kind) => kind switch
    {
        "sgd" => new Sgd(0.24, momentum: 0.9, weightDecay: 1e-4, nesterov: true),
        "sgd-plain" => new Sgd(0.1),
        _ => new AdamW(learningRate: 0.01, weightDecay: 0.05),
    };

    private static (Tensor Weight, Tensor Bias) Initial() =>
        (Tensor.From(new[] { 0.5f, -0.25f, 1f, 2f, -1.5f, 0.125f }, 2, 3), Tensor.From(new[] { 0.1f, -0.2f, 0.3f }, 3));

    private static ParameterGradient[] Entries((Tensor Weight, Tensor Bias) p, int step) =>
        [new("w", p.Weight, Gradient(p.Weight, step)), new("b", p.Bias, Gradient(p.Bias, step))];

    private static Tensor Gradient(Tensor parameter, int step)
    {
        var random = new Random(100 + step);
        float[] g = Enumerable.Range(0, (int)parameter.Length).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        return Tensor.From<float>(g, parameter.Shape);
    }
}
