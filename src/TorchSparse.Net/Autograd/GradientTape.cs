namespace TorchSparse.Autograd;

/// <summary>
/// Records the differentiable operations run on this thread while it is active (created and not yet disposed), and
/// replays them backwards: <see cref="Backward"/> gives the gradient of an output with respect to every tensor that
/// fed it, parameters included. Tensors are told apart by reference, so a parameter's gradient is found by the
/// parameter tensor itself.
/// </summary>
/// <example><code>
/// using var tape = new GradientTape();
/// SparseTensor y = SparseOps.Relu(norm.Forward(x));
/// Gradients grads = tape.Backward(y.Feats, seed);
/// Tensor? dWeight = grads.Of(norm.Weight);
/// </code></example>
public sealed class GradientTape : IDisposable
{
    [ThreadStatic]
    private static GradientTape? active;

    private readonly GradientTape? outer;
    private readonly List<Step> steps = [];
    private bool disposed;

    public GradientTape()
    {
        outer = active;
        active = this;
    }

    /// <summary>Operations recorded so far.</summary>
    public int StepCount => steps.Count;

    /// <summary>Whether a tape is recording on this thread.</summary>
    public static bool IsRecording => active is not null;

    /// <summary>
    /// Gradients of <paramref name="output"/> (seeded with <paramref name="seed"/>, ones when null) with respect to
    /// every recorded tensor it depends on. The tape may be replayed again with another seed.
    /// </summary>
    public Gradients Backward(Tensor output, Tensor? seed = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (seed is not null && !seed.Shape.AsSpan().SequenceEqual(output.Shape))
        {
            throw new ShapeMismatchException(
                $"seed has shape [{string.Join(", ", seed.Shape)}] but the output has [{string.Join(", ", output.Shape)}].");
        }

        if (seed is null)
        {
            seed = Tensor.Empty(DType.Float32, output.Device, output.Shape);
            seed.AsSpan<float>().Fill(1f);
        }

        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance) { [output] = seed };
        for (int i = steps.Count - 1; i >= 0; i--)
        {
            Step step = steps[i];
            if (!grads.TryGetValue(step.Output, out Tensor? outputGrad))
            {
                continue;
            }

            Tensor?[] inputGrads = step.Backward(outputGrad);
            for (int j = 0; j < step.Inputs.Length; j++)
            {
                if (inputGrads[j] is Tensor g)
                {
                    grads[step.Inputs[j]] = grads.TryGetValue(step.Inputs[j], out Tensor? sum) ? Sum(sum, g) : g;
                }
            }
        }

        return new Gradients(grads);
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        if (!ReferenceEquals(active, this))
        {
            throw new InvalidOperationException("gradient tapes must be disposed innermost first.");
        }

        active = outer;
        disposed = true;
    }

    /// <summary>Adds an operation to the active tape, if any: <paramref name="backward"/> maps the gradient of
    /// <paramref name="output"/> to one gradient (or null) per input.</summary>
    internal static void Record(Tensor output, Tensor[] inputs, Func<Tensor, Tensor?[]> backward) =>
        active?.steps.Add(new Step(output, inputs, backward));

    private static Tensor Sum(Tensor a, Tensor b)
    {
        Tensor sum = Tensor.Empty(DType.Float32, a.Device, a.Shape);
        a.Device.Backend.Add(a, b, sum);
        return sum;
    }

    private sealed record Step(Tensor Output, Tensor[] Inputs, Func<Tensor, Tensor?[]> Backward);
}

/// <summary>The result of <see cref="GradientTape.Backward"/>: a gradient per tensor, found by reference.</summary>
public sealed class Gradients
{
    private readonly Dictionary<Tensor, Tensor> grads;

    internal Gradients(Dictionary<Tensor, Tensor> grads) => this.grads = grads;

    /// <summary>The gradient with respect to <paramref name="tensor"/>, or null when the output does not depend on it.</summary>
    public Tensor? Of(Tensor tensor) => grads.GetValueOrDefault(tensor);
}
