namespace TorchSparse.Training;

/// <summary>
/// Stochastic gradient descent as <c>torch.optim.SGD</c>: coupled weight decay d = g + wd·p, momentum buffer
/// b = d on the first step and b = μ·b + (1 - dampening)·d after, update p -= lr·(d + μ·b) with Nesterov or
/// p -= lr·b without. State slot: <c>{name}.momentum_buffer</c> (float32, the parameter's shape; only when
/// momentum is non-zero).
/// </summary>
public sealed class Sgd : Optimizer
{
    private const string BufferSlot = "momentum_buffer";
    private static readonly string[] Slots = [BufferSlot];

    private readonly Dictionary<string, Tensor> buffers = new(StringComparer.Ordinal);

    /// <summary>Creates the optimiser; the arguments are PyTorch's and are checked the same way.</summary>
    /// <param name="learningRate">Initial learning rate (&gt;= 0); see <see cref="Optimizer.LearningRate"/>.</param>
    /// <param name="momentum">Momentum factor μ &gt;= 0.</param>
    /// <param name="dampening">Dampening of the gradient in the momentum buffer.</param>
    /// <param name="weightDecay">L2 penalty added to the gradient (&gt;= 0).</param>
    /// <param name="nesterov">Nesterov momentum; needs μ &gt; 0 and no dampening.</param>
    public Sgd(double learningRate, double momentum = 0, double dampening = 0, double weightDecay = 0,
        bool nesterov = false)
        : base(learningRate)
    {
        if (!(momentum >= 0) || !double.IsFinite(momentum))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be finite and >= 0.");
        }

        if (!double.IsFinite(dampening))
        {
            throw new ArgumentOutOfRangeException(nameof(dampening), dampening, "dampening must be finite.");
        }

        if (!(weightDecay >= 0) || !double.IsFinite(weightDecay))
        {
            throw new ArgumentOutOfRangeException(
                nameof(weightDecay), weightDecay, "weight decay must be finite and >= 0.");
        }

        if (nesterov && (momentum <= 0 || dampening != 0))
        {
            throw new ArgumentException("Nesterov momentum needs momentum > 0 and dampening 0.", nameof(nesterov));
        }

        Momentum = momentum;
        Dampening = dampening;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
    }

    /// <summary>Momentum factor μ (0: plain SGD, no buffer).</summary>
    public double Momentum { get; }

    /// <summary>Dampening: the buffer adds (1 - dampening)·d after its first step.</summary>
    public double Dampening { get; }

    /// <summary>Coupled L2 weight decay: wd·p is added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether the step uses d + μ·b (Nesterov) rather than b.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, Tensor> StateDict() =>
        buffers.ToDictionary(pair => $"{pair.Key}.{BufferSlot}", pair => Copy(pair.Value), StringComparer.Ordinal);

    /// <inheritdoc/>
    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var loaded = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach ((string key, Tensor value) in state)
        {
            (string name, _) = SplitKey(key, Slots, nameof(state));
            if (value.DType != DType.Float32)
            {
                throw new ArgumentException($"state: '{key}' must be float32; got {TrainingChecks.Describe(value)}.",
                    nameof(state));
            }

            loaded[name] = Copy(value);
        }

        buffers.Clear();
        foreach ((string name, Tensor buffer) in loaded)
        {
            buffers[name] = buffer;
        }
    }

    private protected override void CheckState(string name, Tensor parameter) =>
        RequireStateShape($"{name}.{BufferSlot}", buffers.GetValueOrDefault(name), parameter);

    private protected override void Update(string name, Tensor parameter, ReadOnlySpan<float> gradient)
    {
        // PyTorch's op order in float32, each scalar rounded to float as its kernels take it, and a fused
        // multiply-add wherever its x.add(y, alpha) kernel fuses one (the AVX2 build does), so the trajectory is
        // torch.optim.SGD's to the last bit on such builds.
        Span<float> p = parameter.AsSpan<float>();
        float decay = (float)WeightDecay;
        float momentum = (float)Momentum;
        float keep = (float)(1 - Dampening);
        float step = (float)-LearningRate;
        Span<float> b = default;
        bool first = false;
        if (Momentum != 0)
        {
            if (!buffers.TryGetValue(name, out Tensor? buffer))
            {
                buffer = Tensor.Zeros(DType.Float32, parameter.Shape);
                buffers[name] = buffer;
                first = true;
            }

            b = buffer.AsSpan<float>();
        }

        for (int i = 0; i < p.Length; i++)
        {
            float d = WeightDecay != 0 ? MathF.FusedMultiplyAdd(decay, p[i], gradient[i]) : gradient[i];
            if (Momentum != 0)
            {
                b[i] = first ? d : MathF.FusedMultiplyAdd(keep, d, b[i] * momentum);
                d = Nesterov ? MathF.FusedMultiplyAdd(momentum, b[i], d) : b[i];
            }

            p[i] = MathF.FusedMultiplyAdd(step, d, p[i]);
        }
    }
}
