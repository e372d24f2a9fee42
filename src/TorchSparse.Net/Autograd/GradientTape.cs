using TorchSparse.Backends;
using TorchSparse.Backends.Cpu;

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
    private readonly TensorPool? pool;
    private readonly long poolGeneration;
    private readonly HashSet<TensorStorage> rented = new(ReferenceEqualityComparer.Instance);
    private readonly List<Tensor> computedGradients = [];
    private readonly HashSet<TensorStorage> handedOut = new(ReferenceEqualityComparer.Instance);
    private bool disposed;

    public GradientTape()
        : this(null)
    {
    }

    /// <summary>
    /// A tape that, with a <paramref name="pool"/>, draws the float tensors allocated while it records from the pool
    /// and on <see cref="Dispose"/> gives back the intermediate ones: the outputs of recorded operations, the
    /// tensors they saved for their backward, and the gradients <see cref="Backward"/> computed, less anything a leaf
    /// uses. Leaves are the tensors no recorded operation produced (parameters, inputs); their gradients and the
    /// seeds passed to <see cref="Backward"/> stay valid. Everything given back throws
    /// <see cref="ObjectDisposedException"/> when read afterwards, so a tensor still in use cannot be overwritten
    /// silently: read what you need of the outputs (loss, logits) before disposing.
    /// </summary>
    public GradientTape(TensorPool? pool)
    {
        this.pool = pool;
        poolGeneration = pool?.Generation ?? 0;
        outer = active;
        active = this;
    }

    /// <summary>Where the recorded ops spend their time, forward and backward; null (the default) times nothing.</summary>
    public TapeProfile? Profile { get; init; }

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

        handedOut.Add(seed.Storage);
        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance) { [output] = seed };
        for (int i = steps.Count - 1; i >= 0; i--)
        {
            Step step = steps[i];
            if (!grads.TryGetValue(step.Output, out Tensor? outputGrad))
            {
                continue;
            }

            Tensor?[] inputGrads;
            using (new TapeProfile.Scope(Profile, step.Category ?? TapeProfile.OtherBackward))
            {
                inputGrads = step.Backward(outputGrad);
            }

            for (int j = 0; j < step.Inputs.Length; j++)
            {
                if (inputGrads[j] is Tensor g)
                {
                    Tensor total = grads.TryGetValue(step.Inputs[j], out Tensor? sum) ? Sum(sum, g) : g;
                    grads[step.Inputs[j]] = total;
                    computedGradients.Add(g);
                    computedGradients.Add(total);
                }
            }
        }

        if (pool is not null)
        {
            HashSet<Tensor> produced = ProducedTensors();
            foreach ((Tensor tensor, Tensor grad) in grads)
            {
                if (!produced.Contains(tensor))
                {
                    handedOut.Add(grad.Storage);
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
        if (pool is not null)
        {
            pool.Return(Recyclable(), poolGeneration);
        }
    }

    /// <summary>Adds an operation to the active tape, if any: <paramref name="backward"/> maps the gradient of
    /// <paramref name="output"/> to one gradient (or null) per input; <paramref name="saved"/> lists the tensors
    /// the backward reads besides its inputs and output, which are intermediates like the output; the backward's
    /// time counts under <paramref name="category"/> (<see cref="TapeProfile.OtherBackward"/> when null).</summary>
    internal static void Record(
        Tensor output, Tensor[] inputs, Func<Tensor, Tensor?[]> backward, Tensor[]? saved = null, string? category = null) =>
        active?.steps.Add(new Step(output, inputs, backward, saved ?? [], category));

    /// <summary>The active tape's profile, if any.</summary>
    internal static TapeProfile? ActiveProfile => active?.Profile;

    /// <summary>Storage for a new tensor from the active tape's pool, or null to allocate it as usual.</summary>
    internal static TensorStorage? Rent(DType dtype, Device device, long length, bool zeroed)
    {
        GradientTape? tape = active;
        if (tape?.pool is null || dtype != DType.Float32 || device.Kind != DeviceKind.Cpu || length > Array.MaxLength)
        {
            return null;
        }

        CpuStorage<float> storage = tape.pool.Rent(length, zeroed);
        tape.rented.Add(storage);
        return storage;
    }

    private HashSet<Tensor> ProducedTensors() => new(steps.Select(s => s.Output), ReferenceEqualityComparer.Instance);

    /// <summary>
    /// What <see cref="Dispose"/> gives back: the storages this tape rented that hold a recorded output, a saved
    /// tensor or a computed gradient, less the storages of leaves, of their gradients and of seeds.
    /// </summary>
    private IEnumerable<CpuStorage<float>> Recyclable()
    {
        HashSet<Tensor> produced = ProducedTensors();
        var keep = new HashSet<TensorStorage>(handedOut, ReferenceEqualityComparer.Instance);
        keep.UnionWith(steps.SelectMany(s => s.Inputs).Where(t => !produced.Contains(t)).Select(t => t.Storage));
        var recycle = new HashSet<TensorStorage>(ReferenceEqualityComparer.Instance);
        foreach (Tensor t in steps.SelectMany(s => s.Saved.Prepend(s.Output)).Concat(computedGradients))
        {
            if (rented.Contains(t.Storage) && !keep.Contains(t.Storage))
            {
                recycle.Add(t.Storage);
            }
        }

        return recycle.Cast<CpuStorage<float>>();
    }

    private static Tensor Sum(Tensor a, Tensor b)
    {
        Tensor sum = Tensor.Empty(DType.Float32, a.Device, a.Shape);
        a.Device.Backend.Add(a, b, sum);
        return sum;
    }

    private sealed record Step(Tensor Output, Tensor[] Inputs, Func<Tensor, Tensor?[]> Backward, Tensor[] Saved, string? Category);
}

/// <summary>The result of <see cref="GradientTape.Backward"/>: a gradient per tensor, found by reference.</summary>
public sealed class Gradients
{
    private readonly Dictionary<Tensor, Tensor> grads;

    internal Gradients(Dictionary<Tensor, Tensor> grads) => this.grads = grads;

    /// <summary>The gradient with respect to <paramref name="tensor"/>, or null when the output does not depend on it.</summary>
    public Tensor? Of(Tensor tensor) => grads.GetValueOrDefault(tensor);
}
