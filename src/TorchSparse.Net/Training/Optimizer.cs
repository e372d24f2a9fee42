namespace TorchSparse.Training;

/// <summary>
/// One parameter for an optimiser step: the tensor updated in place, its gradient (null: no gradient this step, so
/// the parameter and its state are left alone, as PyTorch skips <c>p.grad is None</c>), and the name its state is
/// kept and saved under (a state-dict key such as <c>stem.0.kernel</c>).
/// </summary>
/// <param name="Name">Unique within a step; keys the optimiser state.</param>
/// <param name="Parameter">float32, updated in place.</param>
/// <param name="Gradient">float32 with the parameter's shape, or null.</param>
public sealed record ParameterGradient(string Name, Tensor Parameter, Tensor? Gradient);

/// <summary>
/// An optimiser over named float32 parameters. State lives per parameter name, so a model that swaps a parameter
/// tensor (a checkpoint load) keeps its state, and <see cref="StateDict"/> / <see cref="LoadStateDict"/> save and
/// resume it exactly (for example through safetensors). Updates are elementwise, so results do not depend on the
/// thread count.
/// </summary>
public abstract class Optimizer
{
    private double learningRate;

    private protected Optimizer(double learningRate) => LearningRate = learningRate;

    /// <summary>The learning rate of the next <see cref="Step"/>; a schedule sets it before each step.</summary>
    public double LearningRate
    {
        get => learningRate;
        set => learningRate = value >= 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "learning rate must be finite and >= 0.");
    }

    /// <summary>
    /// Updates every parameter that has a gradient. All entries are checked before any is touched, so a bad entry
    /// leaves parameters and state unchanged.
    /// </summary>
    /// <exception cref="ArgumentException">A name is empty or repeated.</exception>
    /// <exception cref="DTypeMismatchException">A parameter or gradient is not float32.</exception>
    /// <exception cref="ShapeMismatchException">A gradient or a loaded state tensor does not match its parameter.
    /// </exception>
    public void Step(IReadOnlyList<ParameterGradient> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (ParameterGradient entry in parameters)
        {
            ArgumentNullException.ThrowIfNull(entry, nameof(parameters));
            if (string.IsNullOrEmpty(entry.Name) || !names.Add(entry.Name))
            {
                throw new ArgumentException(
                    $"{nameof(parameters)}: parameter name '{entry.Name}' is empty or repeated.", nameof(parameters));
            }

            TrainingChecks.RequireFloat32(entry.Parameter, $"parameter '{entry.Name}'");
            if (entry.Gradient is null)
            {
                continue;
            }

            TrainingChecks.RequireFloat32(entry.Gradient, $"gradient of '{entry.Name}'");
            if (!entry.Gradient.Shape.AsSpan().SequenceEqual(entry.Parameter.Shape))
            {
                throw new ShapeMismatchException(
                    $"gradient of '{entry.Name}' is {TrainingChecks.Describe(entry.Gradient)} but the parameter is "
                    + $"{TrainingChecks.Describe(entry.Parameter)}.");
            }

            CheckState(entry.Name, entry.Parameter);
        }

        foreach (ParameterGradient entry in parameters)
        {
            if (entry.Gradient is not null)
            {
                Update(entry.Name, entry.Parameter, entry.Gradient.AsSpan<float>());
            }
        }
    }

    /// <summary>
    /// A copy of the state as named tensors, keyed <c>{parameter name}.{slot}</c> (slots are listed on each
    /// optimiser). Hyper-parameters and the learning rate are not included: they come from the trainer's
    /// configuration and schedule.
    /// </summary>
    public abstract IReadOnlyDictionary<string, Tensor> StateDict();

    /// <summary>Replaces the whole state with copies of <paramref name="state"/>, as <see cref="StateDict"/> wrote
    /// it. Shapes are checked against the parameters on the next <see cref="Step"/>.</summary>
    /// <exception cref="ArgumentException">A key has an unknown slot, a slot is missing, or a tensor has the wrong
    /// element type or shape for its slot.</exception>
    public abstract void LoadStateDict(IReadOnlyDictionary<string, Tensor> state);

    /// <summary>Throws <see cref="ShapeMismatchException"/> when state kept for <paramref name="name"/> does not fit
    /// <paramref name="parameter"/>.</summary>
    private protected abstract void CheckState(string name, Tensor parameter);

    private protected abstract void Update(string name, Tensor parameter, ReadOnlySpan<float> gradient);

    private protected static void RequireStateShape(string key, Tensor? state, Tensor parameter)
    {
        if (state is not null && !state.Shape.AsSpan().SequenceEqual(parameter.Shape))
        {
            throw new ShapeMismatchException(
                $"optimiser state '{key}' is {TrainingChecks.Describe(state)} but its parameter is "
                + $"{TrainingChecks.Describe(parameter)}.");
        }
    }

    private protected static Tensor Copy(Tensor tensor) => tensor.DType switch
    {
        DType.Float32 => Tensor.From<float>(tensor.AsSpan<float>(), tensor.Shape),
        DType.Int64 => Tensor.From<long>(tensor.AsSpan<long>(), tensor.Shape),
        _ => throw new DTypeMismatchException($"optimiser state holds only float32 and int64; got {tensor.DType}."),
    };

    /// <summary>Splits <c>{name}.{slot}</c> at its last dot, requiring a known slot.</summary>
    private protected static (string Name, string Slot) SplitKey(
        string key, IReadOnlyCollection<string> slots, string paramName)
    {
        int dot = key.LastIndexOf('.');
        string slot = dot > 0 ? key[(dot + 1)..] : string.Empty;
        if (!slots.Contains(slot))
        {
            throw new ArgumentException(
                $"{paramName}: key '{key}' is not '<parameter>.<slot>' with slot one of {string.Join(", ", slots)}.",
                paramName);
        }

        return (key[..dot], slot);
    }
}
