using TorchSparse;
using TorchSparse.Coordinates;
using TorchSparse.Training;

namespace Pvcnn.Tests;

/// <summary>
/// MinkUNet trains: the tape's gradient of the cross-entropy over all 5.4 M parameters agrees with a central
/// difference of the loss along the gradient's own direction (that derivative must equal |g|; within 2 %, float32
/// forward), and SGD steps lower the loss. Starting point: the cr 0.5 parity checkpoint and the fixture scene.
/// </summary>
public sealed class TrainingTests
{
    [Fact]
    public void Gradient_matches_the_directional_difference_of_the_loss()
    {
        (SegmentationModel model, SparseTensor input, Tensor targets) = Setup();
        StepResult step = TrainingStep.Gradients(model, input, targets);
        double norm = Math.Sqrt(step.Gradients.Sum(p => p.Gradient is null ? 0 : p.Gradient.ToArray<float>().Sum(v => (double)v * v)));
        Assert.True(norm > 0);

        const double epsilon = 1e-3;
        Move(step.Gradients, epsilon / norm);
        double up = Loss(model, input, targets);
        Move(step.Gradients, -2 * epsilon / norm);
        double down = Loss(model, input, targets);
        Move(step.Gradients, epsilon / norm);

        double directional = (up - down) / (2 * epsilon);
        Assert.True(Math.Abs(directional - norm) <= 0.02 * norm, $"difference {directional}, |g| {norm}");
    }

    [Fact]
    public void Sgd_steps_lower_the_loss()
    {
        (SegmentationModel model, SparseTensor input, Tensor targets) = Setup();
        var sgd = new Sgd(learningRate: 0.02, momentum: 0.9);
        double first = TrainingStep.Gradients(model, input, targets).Loss;
        double last = first;
        for (int i = 0; i < 6; i++)
        {
            StepResult step = TrainingStep.Gradients(model, input, targets);
            sgd.Step(step.Gradients);
            last = step.Loss;
        }

        Assert.True(last < 0.8 * first, $"loss {first} -> {last}");
    }

    [Fact]
    public void Point_voxel_models_refuse_training_until_their_point_branch_is_on_the_tape() =>
        Assert.Throws<NotSupportedException>(() => new Spvcnn(0.5).Training = true);

    private static (SegmentationModel Model, SparseTensor Input, Tensor Targets) Setup()
    {
        SegmentationModel model = PvcnnModels.Load(ModelFixtures.PathOf("minkunet_cr0p5.pt"), "minkunet");
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

    private static double Loss(SegmentationModel model, SparseTensor input, Tensor targets) =>
        Losses.CrossEntropy(model.Forward(input), targets, 255).Value;

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
