using System.Runtime.CompilerServices;
using TorchSparse;
using TorchSparse.Autograd;
using TorchSparse.Training;

namespace Pvcnn;

/// <summary>The loss of one training step and the gradients it produced, per named parameter.</summary>
public sealed record StepResult(double Loss, IReadOnlyList<ParameterGradient> Gradients);

/// <summary>
/// One supervised step on a voxel batch: forward in training mode on a gradient tape, cross-entropy on the voxel
/// logits (ignore index as spvnas: 255), backward through the tape, and the gradient of every learned parameter under
/// its checkpoint key, ready for an optimiser. Each model keeps a <see cref="TensorPool"/> for as long as it lives,
/// so that from the second step on the activations and gradients reuse the previous step's memory.
/// </summary>
public static class TrainingStep
{
    private static readonly ConditionalWeakTable<SegmentationModel, TensorPool> Pools = [];

    public static StepResult Gradients(SegmentationModel model, SparseTensor input, Tensor targets, int ignoreIndex = 255) =>
        Gradients(model, input, targets, ignoreIndex, profile: null);

    /// <summary>As above, timing the step's kernel maps, convs and batch norms into <paramref name="profile"/>.</summary>
    public static StepResult Gradients(
        SegmentationModel model, SparseTensor input, Tensor targets, int ignoreIndex, TapeProfile? profile) =>
        Gradients(model, input, logits => Losses.CrossEntropy(logits, targets, ignoreIndex), profile);

    /// <summary>A step with any loss of the voxel logits (its value and its gradient with respect to them).</summary>
    public static StepResult Gradients(
        SegmentationModel model, SparseTensor input, Func<Tensor, LossResult> loss, TapeProfile? profile = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        if (!model.Training)
        {
            throw new InvalidOperationException("set model.Training = true before a training step.");
        }

        using var tape = new GradientTape(Pools.GetValue(model, _ => new TensorPool())) { Profile = profile };
        Tensor logits = model.Forward(input);
        LossResult value = loss(logits);
        Gradients grads = tape.Backward(logits, value.Gradient);
        var result = new List<ParameterGradient>();
        foreach (TorchSparse.Nn.NamedParameter p in model.Parameters())
        {
            if (!p.IsBuffer)
            {
                Tensor parameter = p.Read();
                result.Add(new ParameterGradient(p.Name, parameter, grads.Of(parameter)));
            }
        }

        return new StepResult(value.Value, result);
    }
}
