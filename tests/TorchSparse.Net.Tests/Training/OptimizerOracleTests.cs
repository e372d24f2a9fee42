using System.Text.Json;
using TorchSparse.Training;
using static TorchSparse.Tests.Training.TrainingFixture;

namespace TorchSparse.Tests.Training;

/// <summary>
/// SGD, AdamW, gradient clipping and schedules against torch.optim, clip_grad_norm_ and torch's LR schedulers
/// (tests/fixtures/gen_training_fixtures.py). The optimisers run in float32 on both sides with the same op order and
/// the same fused multiply-adds, and reproduce the fixtures (PyTorch's AVX2 kernels) bit for bit.
/// </summary>
public sealed class OptimizerOracleTests
{
    // Parameters and state after up to 8 float32 steps. They are bit-identical today; the 2-ulp slack (2^-23
    // relative) leaves room for a libm whose pow rounds a bias correction the other way.
    private const double StateRel = 2.4e-7;
    private const double StateAbs = 1e-12;

    public static TheoryData<string> OptimizerCases()
    {
        var data = Cases("sgd_");
        foreach (string name in Names("adamw_"))
        {
            data.Add(name);
        }

        return data;
    }

    public static TheoryData<string> ClipCases() => Cases("clip_");

    public static TheoryData<string> ScheduleCases()
    {
        var data = Cases("cosine_");
        foreach (string name in Names("step_"))
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void Every_optimizer_and_schedule_case_is_present() => Assert.Equal(
        ["adamw_custom_lr_sequence", "adamw_default", "adamw_no_decay", "clip_below_max", "clip_scaled_down",
            "cosine_spvnas_1_process", "cosine_spvnas_8_processes", "cosine_warmup_w5_t20",
            "sgd_dampening_lr_sequence", "sgd_plain", "sgd_spvnas_nesterov", "step_lr"],
        new[] { "adamw_", "clip_", "cosine_", "sgd_", "step_" }.SelectMany(Names));

    [Theory]
    [MemberData(nameof(OptimizerCases))]
    public void Optimizer_steps_match_torch_optim(string name)
    {
        JsonElement f = Load(name);
        Optimizer optimizer = Create(f);
        (string Name, Tensor Tensor)[] parameters = Parameters(f);
        double[] rates = f.GetProperty("learning_rates").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        JsonElement[] expected = f.GetProperty("expected_parameters").EnumerateArray().ToArray();
        JsonElement[] gradients = f.GetProperty("gradients").EnumerateArray().ToArray();

        for (int step = 0; step < rates.Length; step++)
        {
            optimizer.LearningRate = rates[step];
            optimizer.Step(Entries(parameters, gradients[step]));
            JsonElement[] want = expected[step].EnumerateArray().ToArray();
            for (int p = 0; p < parameters.Length; p++)
            {
                AllClose(Widen(Decode<float>(want[p])), Widen(parameters[p].Tensor.ToArray<float>()), StateRel,
                    StateAbs, $"{name} step {step} {parameters[p].Name}");
            }
        }

        AssertStateMatches(f, optimizer, parameters);
    }

    [Theory]
    [MemberData(nameof(ClipCases))]
    public void Clipping_matches_clip_grad_norm(string name)
    {
        JsonElement f = Load(name);
        int[][] shapes = f.GetProperty("shapes").EnumerateArray().Select(Shape).ToArray();
        Tensor?[] gradients = f.GetProperty("gradients").EnumerateArray()
            .Select((g, i) => (Tensor?)Tensor.From<float>(Decode<float>(g), shapes[i]))
            .Append(null)  // the parameter without a gradient
            .ToArray();

        double norm = GradientClipping.ClipByGlobalNorm(gradients, f.GetProperty("max_norm").GetDouble());

        // PyTorch's norm is a float32 reduction; this one is float64.
        Close(f.GetProperty("expected_total_norm").GetDouble(), norm, 1e-6, 0, $"{name} norm");
        JsonElement[] want = f.GetProperty("expected_gradients").EnumerateArray().ToArray();
        for (int i = 0; i < want.Length; i++)
        {
            AllClose(Widen(Decode<float>(want[i])), Widen(gradients[i]!.ToArray<float>()), 2.4e-7, 0,
                $"{name} gradient {i}");
        }
    }

    [Theory]
    [MemberData(nameof(ScheduleCases))]
    public void Schedule_matches_torch_scheduler(string name)
    {
        JsonElement f = Load(name);
        double baseRate = f.GetProperty("base_lr").GetDouble();
        ILearningRateSchedule schedule = f.GetProperty("kind").GetString() switch
        {
            "step" => new StepSchedule(baseRate, f.GetProperty("step_size").GetInt64(), f.GetProperty("gamma").GetDouble()),
            _ when f.TryGetProperty("spvnas", out JsonElement s) => CosineWarmupSchedule.Spvnas(baseRate,
                s.GetProperty("epochs").GetInt32(), s.GetProperty("batch_size").GetInt32(),
                s.GetProperty("dataset_size").GetInt32(), s.GetProperty("processes").GetInt32()),
            _ => new CosineWarmupSchedule(baseRate, f.GetProperty("warmup_iterations").GetInt64(),
                f.GetProperty("cosine_iterations").GetInt64()),
        };
        if (schedule is CosineWarmupSchedule cosine)
        {
            Assert.Equal(f.GetProperty("warmup_iterations").GetInt64(), cosine.WarmupIterations);
            Assert.Equal(f.GetProperty("cosine_iterations").GetInt64(), cosine.CosineIterations);
        }

        double[] want = f.GetProperty("expected_lrs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        double[] got = Enumerable.Range(0, want.Length).Select(k => schedule.LearningRateAt(k)).ToArray();

        // float64 on both sides; StepLR multiplies step by step where this takes a power.
        AllClose(want, got, 1e-14, 1e-17, name);
    }

    private static Optimizer Create(JsonElement f)
    {
        JsonElement o = f.GetProperty("options");
        double Get(string key, double fallback) => o.TryGetProperty(key, out JsonElement v) ? v.GetDouble() : fallback;
        double rate = o.GetProperty("lr").GetDouble();
        if (f.GetProperty("kind").GetString() == "sgd")
        {
            return new Sgd(rate, Get("momentum", 0), Get("dampening", 0), Get("weight_decay", 0),
                o.TryGetProperty("nesterov", out JsonElement n) && n.GetBoolean());
        }

        double[] betas = o.TryGetProperty("betas", out JsonElement b)
            ? b.EnumerateArray().Select(e => e.GetDouble()).ToArray()
            : [0.9, 0.999];
        return new AdamW(rate, betas[0], betas[1], Get("eps", 1e-8), Get("weight_decay", 1e-2));
    }

    private static (string Name, Tensor Tensor)[] Parameters(JsonElement f) => f.GetProperty("parameters")
        .EnumerateArray()
        .Select(p => (p.GetProperty("name").GetString()!,
            Tensor.From<float>(Array<float>(p, "initial"), Shape(p.GetProperty("shape")))))
        .ToArray();

    private static ParameterGradient[] Entries((string Name, Tensor Tensor)[] parameters, JsonElement gradients) =>
        gradients.EnumerateArray()
            .Select((g, i) => new ParameterGradient(parameters[i].Name, parameters[i].Tensor,
                g.ValueKind == JsonValueKind.Null ? null : Tensor.From<float>(Decode<float>(g), parameters[i].Tensor.Shape)))
            .ToArray();

    private static void AssertStateMatches(JsonElement f, Optimizer optimizer, (string Name, Tensor Tensor)[] parameters)
    {
        IReadOnlyDictionary<string, Tensor> state = optimizer.StateDict();
        JsonElement[] expected = f.GetProperty("expected_state").EnumerateArray().ToArray();
        var keys = new List<string>();
        for (int p = 0; p < parameters.Length; p++)
        {
            foreach (JsonProperty slot in expected[p].EnumerateObject())
            {
                string key = $"{parameters[p].Name}.{slot.Name}";
                keys.Add(key);
                if (slot.Name == "step")
                {
                    Assert.Equal(slot.Value.GetInt64(), state[key].ToArray<long>().Single());
                    Assert.Equal(0, state[key].Rank);
                }
                else
                {
                    AllClose(Widen(Decode<float>(slot.Value)), Widen(state[key].ToArray<float>()), StateRel, StateAbs,
                        $"{f.GetProperty("name").GetString()} {key}");
                }
            }
        }

        Assert.Equal(keys.Order(StringComparer.Ordinal), state.Keys.Order(StringComparer.Ordinal));
    }

    private static double[] Widen(float[] values) => values.Select(v => (double)v).ToArray();
}
