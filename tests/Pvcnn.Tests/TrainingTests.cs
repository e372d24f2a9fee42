using Xunit.Abstractions;
using TorchSparse;
using TorchSparse.Coordinates;
using TorchSparse.Training;

namespace Pvcnn.Tests;

/// <summary>
/// Every architecture trains: the tape's gradient of the cross-entropy over all parameters (MinkUNet cr 0.5: 5.4 M,
/// SPVCNN cr 1.0: 21.8 M, the SPVNAS subnet: 10.6 M) agrees with a central difference of the loss along the
/// gradient's own direction (that derivative must equal |g|; within 2 %, float32 forward), and SGD steps lower the
/// loss. Starting point: the parity checkpoints and the fixture scene. The point-voxel models' dropout is reseeded
/// before each forward of the difference, so all three forwards apply the same masks.
/// </summary>
public sealed class TrainingTests(ITestOutputHelper output)
{
    private const int DropoutSeed = 5;

    public static TheoryData<string, string> Cases { get; } = new()
    {
        { "minkunet_cr0p5", "minkunet" },
        { "spvcnn_cr1p0", "spvcnn" },
        { "spvnas_subnet", "spvnas" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradient_matches_the_directional_difference_of_the_loss(string caseName, string architecture)
    {
        (SegmentationModel model, SparseTensor input, Tensor targets) = Setup(caseName, architecture);
        Reseed(model);
        StepResult step = TrainingStep.Gradients(model, input, targets);
        Assert.All(step.Gradients, p => Assert.NotNull(p.Gradient));   // the point branch included
        double norm = Math.Sqrt(step.Gradients.Sum(p => p.Gradient is null ? 0 : p.Gradient.ToArray<float>().Sum(v => (double)v * v)));
        Assert.True(norm > 0);

        const double epsilon = 1e-3;
        Move(step.Gradients, epsilon / norm);
        double up = Loss(model, input, targets);
        Move(step.Gradients, -2 * epsilon / norm);
        double down = Loss(model, input, targets);
        Move(step.Gradients, epsilon / norm);

        double directional = (up - down) / (2 * epsilon);
        output.WriteLine($"{caseName}: directional difference {directional:G6}, |g| {norm:G6}, relative error {Math.Abs(directional - norm) / norm:G3}");
        Assert.True(Math.Abs(directional - norm) <= 0.02 * norm, $"difference {directional}, |g| {norm}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sgd_steps_lower_the_loss(string caseName, string architecture)
    {
        (SegmentationModel model, SparseTensor input, Tensor targets) = Setup(caseName, architecture);
        var sgd = new Sgd(learningRate: 0.02, momentum: 0.9);
        double first = TrainingStep.Gradients(model, input, targets).Loss;
        double last = first;
        for (int i = 0; i < 6; i++)
        {
            StepResult step = TrainingStep.Gradients(model, input, targets);
            sgd.Step(step.Gradients);
            last = step.Loss;
        }

        output.WriteLine($"{caseName}: loss {first:G5} -> {last:G5} after 6 SGD steps");
        Assert.True(last < 0.8 * first, $"loss {first} -> {last}");
    }

    /// <summary>Back in inference the model folds its trained parameters again: its logits are those of a fresh
    /// model loaded from its state dict, to the bit, and differ from the logits before the step.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Inference_after_a_step_runs_the_trained_parameters(string caseName, string architecture)
    {
        (SegmentationModel model, SparseTensor input, Tensor targets) = Setup(caseName, architecture);
        model.Training = false;
        float[] before = model.Forward(input).ToArray<float>();
        model.Training = true;
        new Sgd(learningRate: 0.02).Step(TrainingStep.Gradients(model, input, targets).Gradients);
        model.Training = false;

        float[] after = model.Forward(input).ToArray<float>();
        SegmentationModel reloaded = PvcnnModels.Create(model.StateDict(), architecture);
        reloaded.Load(model.StateDict());

        Assert.NotEqual(before, after);
        Assert.Equal(reloaded.Forward(input).ToArray<float>(), after);
    }

    private static (SegmentationModel Model, SparseTensor Input, Tensor Targets) Setup(string caseName, string architecture)
    {
        SegmentationModel model = PvcnnModels.Load(ModelFixtures.PathOf(caseName + ".pt"), architecture);
        model.Training = true;
        float[] scene = ModelFixtures.Scene();
        (SparseTensor input, QuantizedCloud cloud) = SemanticSegmenter.Voxelize(scene, 0.05f);

        // Targets: another model's PyTorch prediction for each voxel's representative point.
        float[] logits = ModelFixtures.Logits("minkunet_cr0p64");
        var targets = new long[cloud.Count];
        for (int v = 0; v < targets.Length; v++)
        {
            ReadOnlySpan<float> row = logits.AsSpan(cloud.FirstIndex[v] * 19, 19);
            targets[v] = row.IndexOf(MaxOf(row));
        }

        return (model, input, Tensor.From(targets, targets.Length));
    }

    private static float MaxOf(ReadOnlySpan<float> row)
    {
        float best = row[0];
        foreach (float v in row)
        {
            best = Math.Max(best, v);
        }

        return best;
    }

    private static double Loss(SegmentationModel model, SparseTensor input, Tensor targets)
    {
        Reseed(model);
        return Losses.CrossEntropy(model.Forward(input), targets, 255).Value;
    }

    private static void Reseed(SegmentationModel model)
    {
        if (model is PointVoxelModel pointVoxel)
        {
            pointVoxel.SeedDropout(DropoutSeed);
        }
    }

    private static void Move(IReadOnlyList<ParameterGradient> gradients, double scale)
    {
        foreach (ParameterGradient p in gradients)
        {
            if (p.Gradient is null)
            {
                continue;
            }

            Span<float> w = p.Parameter.AsSpan<float>();
            ReadOnlySpan<float> g = p.Gradient.AsSpan<float>();
            for (int i = 0; i < w.Length; i++)
            {
                w[i] += (float)(scale * g[i]);
            }
        }
    }
}
