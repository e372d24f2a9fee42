using System.Text.Json;
using TorchSparse.Training;
using static TorchSparse.Tests.Training.TrainingFixture;

namespace TorchSparse.Tests.Training;

/// <summary>
/// The losses against PyTorch autograd (tests/fixtures/gen_training_fixtures.py): the oracle runs in float64 on the
/// same float32 inputs the C# code gets. Both sides compute in float64, so the values agree to float64 rounding of
/// differently ordered sums and libm calls; the float32 gradients of the public API are float64 results rounded once.
/// </summary>
public sealed class LossOracleTests
{
    // Loss values: float64 on both sides; only summation order and exp/log/lgamma implementations differ (observed
    // at most 5.3e-16 relative).
    private const double ValueRel = 1e-13;
    private const double ValueAbs = 1e-14;

    // Float32 gradients: one rounding of a float64 result (2^-24 = 6e-8 relative; observed at most 5.9e-8), with
    // headroom for the float64 part.
    private const double Float32Rel = 1.2e-7;
    private const double Float32Abs = 1e-13;

    // The internal float64 path against the float64 oracle. The absolute part is float64 rounding of O(1) terms:
    // with large logits an entry p - 1 for p near 1 is a difference of two such numbers.
    private const double Float64Rel = 1e-11;
    private const double Float64Abs = 1e-15;

    public static TheoryData<string> CrossEntropyCases() => Cases("ce_");

    public static TheoryData<string> LovaszCases() => Cases("lovasz_");

    public static TheoryData<string> EvidentialCases() => Cases("evidential_");

    [Fact]
    public void Every_loss_case_is_present() => Assert.Equal(
        ["ce_ignore255_weighted", "ce_ignore_minus100_weighted", "ce_large_logits", "ce_plain",
            "evidential_lambda0p01", "evidential_lambda1_wide",
            "lovasz_ignore255_absent_classes", "lovasz_plain", "lovasz_ties"],
        Names("ce_").Concat(Names("evidential_")).Concat(Names("lovasz_")));

    [Fact]
    public void Fixtures_record_the_torch_version()
    {
        foreach (string name in Names(string.Empty))
        {
            Assert.StartsWith("1.13", Load(name).GetProperty("torch_version").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(CrossEntropyCases))]
    public void Cross_entropy_matches_pytorch(string name)
    {
        (JsonElement f, Tensor logits, Tensor targets) = Classification(name);
        Tensor? weight = f.TryGetProperty("weight", out JsonElement w) ? Tensor.From(Decode<float>(w), logits.Size(1)) : null;
        int ignore = f.GetProperty("ignore_index").GetInt32();

        LossResult result = Losses.CrossEntropy(logits, targets, ignore, weight);

        Close(f.GetProperty("expected_loss").GetDouble(), result.Value, ValueRel, ValueAbs, $"{name} loss");
        AllClose(Array<double>(f, "expected_grad"), Widen(result.Gradient), Float32Rel, Float32Abs, $"{name} grad");
    }

    [Theory]
    [MemberData(nameof(CrossEntropyCases))]
    public void Cross_entropy_float64_path_matches_pytorch(string name)
    {
        (JsonElement f, Tensor logits, Tensor targets) = Classification(name);
        double[] weight = f.TryGetProperty("weight", out JsonElement w) ? Widen(Decode<float>(w)) : [];
        var gradient = new double[logits.Length];

        double value = LossMath.CrossEntropy<double>(Widen(logits), logits.Size(1), Labels(targets),
            f.GetProperty("ignore_index").GetInt32(), weight, gradient);

        Close(f.GetProperty("expected_loss").GetDouble(), value, ValueRel, ValueAbs, $"{name} loss");
        AllClose(Array<double>(f, "expected_grad"), gradient, Float64Rel, Float64Abs, $"{name} grad");
    }

    [Theory]
    [MemberData(nameof(LovaszCases))]
    public void Lovasz_softmax_matches_pytorch(string name)
    {
        (JsonElement f, Tensor logits, Tensor targets) = Classification(name);

        LossResult result = Losses.LovaszSoftmax(logits, targets, f.GetProperty("ignore_index").GetInt32());

        Close(f.GetProperty("expected_loss").GetDouble(), result.Value, ValueRel, ValueAbs, $"{name} loss");
        AllClose(Array<double>(f, "expected_grad"), Widen(result.Gradient), Float32Rel, Float32Abs, $"{name} grad");
    }

    [Theory]
    [MemberData(nameof(LovaszCases))]
    public void Lovasz_softmax_float64_path_matches_pytorch(string name)
    {
        (JsonElement f, Tensor logits, Tensor targets) = Classification(name);
        var gradient = new double[logits.Length];

        double value = LossMath.LovaszSoftmax<double>(
            Widen(logits), logits.Size(1), Labels(targets), f.GetProperty("ignore_index").GetInt32(), gradient);

        Close(f.GetProperty("expected_loss").GetDouble(), value, ValueRel, ValueAbs, $"{name} loss");
        AllClose(Array<double>(f, "expected_grad"), gradient, Float64Rel, Float64Abs, $"{name} grad");
    }

    [Theory]
    [MemberData(nameof(EvidentialCases))]
    public void Evidential_loss_matches_pytorch(string name)
    {
        JsonElement f = Load(name);
        int rows = f.GetProperty("rows").GetInt32();
        var outputs = Tensor.From(Array<float>(f, "outputs"), rows, 4);
        var targets = Tensor.From(Array<float>(f, "targets"), rows);

        EvidentialLossResult result = Losses.EvidentialRegression(outputs, targets, f.GetProperty("lambda").GetDouble());

        Close(f.GetProperty("expected_loss").GetDouble(), result.Value, ValueRel, ValueAbs, $"{name} loss");
        Close(f.GetProperty("expected_nll").GetDouble(), result.Nll, ValueRel, ValueAbs, $"{name} nll");
        Close(f.GetProperty("expected_reg").GetDouble(), result.Regularizer, ValueRel, ValueAbs, $"{name} reg");
        AllClose(Array<double>(f, "expected_grad"), Widen(result.Gradient), Float32Rel, Float32Abs, $"{name} grad");
    }

    [Theory]
    [MemberData(nameof(EvidentialCases))]
    public void Evidential_float64_path_matches_pytorch(string name)
    {
        JsonElement f = Load(name);
        double[] outputs = Widen(Array<float>(f, "outputs"));
        double[] targets = Widen(Array<float>(f, "targets"));
        var gradient = new double[outputs.Length];

        (double value, _, _) = LossMath.Evidential<double>(outputs, targets, f.GetProperty("lambda").GetDouble(), gradient);

        Close(f.GetProperty("expected_loss").GetDouble(), value, ValueRel, ValueAbs, $"{name} loss");
        AllClose(Array<double>(f, "expected_grad"), gradient, Float64Rel, Float64Abs, $"{name} grad");
    }

    private static (JsonElement Fixture, Tensor Logits, Tensor Targets) Classification(string name)
    {
        JsonElement f = Load(name);
        int rows = f.GetProperty("rows").GetInt32();
        int classes = f.GetProperty("classes").GetInt32();
        return (f, Tensor.From(Array<float>(f, "logits"), rows, classes), Tensor.From(Array<long>(f, "targets"), rows));
    }

    private static int[] Labels(Tensor targets) => targets.ToArray<long>().Select(t => (int)t).ToArray();

    private static double[] Widen(Tensor t) => Widen(t.ToArray<float>());

    private static double[] Widen(float[] values) => values.Select(v => (double)v).ToArray();
}
