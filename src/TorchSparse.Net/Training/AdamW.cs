namespace TorchSparse.Training;

/// <summary>
/// AdamW as <c>torch.optim.AdamW</c> (Loshchilov and Hutter, decoupled weight decay): per step t of a parameter,
/// p ← p·(1 - lr·wd); m ← β1·m + (1 - β1)·g; v ← β2·v + (1 - β2)·g²;
/// p ← p - lr / (1 - β1^t) · m / (√v / √(1 - β2^t) + ε). The ε is added after the bias correction of √v, where
/// PyTorch adds it. State slots: <c>{name}.exp_avg</c>, <c>{name}.exp_avg_sq</c> (float32, the parameter's shape)
/// and <c>{name}.step</c> (int64 scalar; per parameter, since a parameter without a gradient skips a step).
/// </summary>
public sealed class AdamW : Optimizer
{
    private const string AverageSlot = "exp_avg";
    private const string SquareSlot = "exp_avg_sq";
    private const string StepSlot = "step";
    private static readonly string[] Slots = [AverageSlot, SquareSlot, StepSlot];

    private readonly Dictionary<string, Moments> state = new(StringComparer.Ordinal);

    /// <summary>Creates the optimiser with PyTorch's defaults and checks.</summary>
    /// <param name="learningRate">Initial learning rate (&gt;= 0); see <see cref="Optimizer.LearningRate"/>.</param>
    /// <param name="beta1">Decay of the gradient average, in [0, 1).</param>
    /// <param name="beta2">Decay of the squared-gradient average, in [0, 1).</param>
    /// <param name="epsilon">Added to the bias-corrected √v (&gt;= 0).</param>
    /// <param name="weightDecay">Decoupled decay: each step multiplies p by 1 - lr·wd (&gt;= 0).</param>
    public AdamW(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8,
        double weightDecay = 1e-2)
        : base(learningRate)
    {
        if (!(beta1 is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1).");
        }

        if (!(beta2 is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1).");
        }

        if (!(epsilon >= 0) || !double.IsFinite(epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be finite and >= 0.");
        }

        if (!(weightDecay >= 0) || !double.IsFinite(weightDecay))
        {
            throw new ArgumentOutOfRangeException(
                nameof(weightDecay), weightDecay, "weight decay must be finite and >= 0.");
        }

        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
    }

    /// <summary>Decay of the gradient average.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the squared-gradient average.</summary>
    public double Beta2 { get; }

    /// <summary>Added to the bias-corrected √v.</summary>
    public double Epsilon { get; }

    /// <summary>Decoupled decay: each step multiplies p by 1 - lr·wd.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach ((string name, Moments m) in state)
        {
            result[$"{name}.{AverageSlot}"] = Copy(m.Average);
            result[$"{name}.{SquareSlot}"] = Copy(m.Square);
            result[$"{name}.{StepSlot}"] = Tensor.From<long>([m.Step], []);
        }

        return result;
    }

    /// <inheritdoc/>
    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var slots = new Dictionary<string, Dictionary<string, Tensor>>(StringComparer.Ordinal);
        foreach ((string key, Tensor value) in state)
        {
            (string name, string slot) = SplitKey(key, Slots, nameof(state));
            bool isStep = slot == StepSlot;
            if (isStep ? value.DType != DType.Int64 || value.Length != 1 : value.DType != DType.Float32)
            {
                throw new ArgumentException(
                    $"state: '{key}' must be {(isStep ? "an int64 scalar" : "float32")}; got "
                    + $"{TrainingChecks.Describe(value)}.",
                    nameof(state));
            }

            if (!slots.TryGetValue(name, out Dictionary<string, Tensor>? entry))
            {
                slots[name] = entry = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            }

            entry[slot] = value;
        }

        var loaded = new Dictionary<string, Moments>(StringComparer.Ordinal);
        foreach ((string name, Dictionary<string, Tensor> entry) in slots)
        {
            if (entry.Count != Slots.Length)
            {
                throw new ArgumentException(
                    $"state: parameter '{name}' needs {string.Join(", ", Slots)}; has {string.Join(", ", entry.Keys)}.",
                    nameof(state));
            }

            Tensor average = entry[AverageSlot];
            Tensor square = entry[SquareSlot];
            if (!average.Shape.AsSpan().SequenceEqual(square.Shape))
            {
                throw new ArgumentException(
                    $"state: '{name}.{AverageSlot}' is {TrainingChecks.Describe(average)} but "
                    + $"'{name}.{SquareSlot}' is {TrainingChecks.Describe(square)}.",
                    nameof(state));
            }

            long step = entry[StepSlot].AsSpan<long>()[0];
            if (step < 0)
            {
                throw new ArgumentException($"state: '{name}.{StepSlot}' is negative ({step}).", nameof(state));
            }

            loaded[name] = new Moments(Copy(average), Copy(square)) { Step = step };
        }

        this.state.Clear();
        foreach ((string name, Moments m) in loaded)
        {
            this.state[name] = m;
        }
    }

    private protected override void CheckState(string name, Tensor parameter)
    {
        if (state.TryGetValue(name, out Moments? m))
        {
            RequireStateShape($"{name}.{AverageSlot}", m.Average, parameter);
        }
    }

    private protected override void Update(string name, Tensor parameter, ReadOnlySpan<float> gradient)
    {
        if (!state.TryGetValue(name, out Moments? m))
        {
            m = new Moments(Tensor.Zeros(DType.Float32, parameter.Shape), Tensor.Zeros(DType.Float32, parameter.Shape));
            state[name] = m;
        }

        m.Step++;

        // Scalars in float64 as PyTorch computes them in Python, rounded to float where its float32 kernels take
        // them; elementwise work in float32 in PyTorch's op order, fused where its kernels fuse (add with alpha,
        // addcmul; the AVX2 build), so the trajectory is torch.optim.AdamW's to the last bit on such builds.
        double biasCorrection1 = 1 - Math.Pow(Beta1, m.Step);
        double biasCorrection2 = 1 - Math.Pow(Beta2, m.Step);
        float decay = (float)(1 - (LearningRate * WeightDecay));
        float beta1 = (float)Beta1;
        float beta2 = (float)Beta2;
        float oneMinusBeta1 = (float)(1 - Beta1);
        float oneMinusBeta2 = (float)(1 - Beta2);
        float correction2Sqrt = (float)Math.Sqrt(biasCorrection2);
        float epsilon = (float)Epsilon;
        float stepSize = (float)-(LearningRate / biasCorrection1);

        Span<float> p = parameter.AsSpan<float>();
        Span<float> average = m.Average.AsSpan<float>();
        Span<float> square = m.Square.AsSpan<float>();
        for (int i = 0; i < p.Length; i++)
        {
            float g = gradient[i];
            p[i] *= decay;
            average[i] = MathF.FusedMultiplyAdd(oneMinusBeta1, g, average[i] * beta1);
            square[i] = MathF.FusedMultiplyAdd(oneMinusBeta2 * g, g, square[i] * beta2);
            float denominator = (MathF.Sqrt(square[i]) / correction2Sqrt) + epsilon;
            p[i] += stepSize * average[i] / denominator;
        }
    }

    private sealed class Moments(Tensor average, Tensor square)
    {
        public Tensor Average { get; } = average;

        public Tensor Square { get; } = square;

        public long Step { get; set; }
    }
}
