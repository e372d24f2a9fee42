namespace TorchSparse.Nn;

/// <summary>
/// Batch normalisation over feature channels with PyTorch BatchNorm1d's parameters (weight, bias, running_mean,
/// running_var, eps, momentum). In inference it uses the running statistics and can be folded into the preceding
/// convolution; with <see cref="Training"/> set it normalises with the batch's statistics, updates the running ones
/// as PyTorch does, and records its backward on an active <see cref="Autograd.GradientTape"/>.
/// </summary>
public sealed class BatchNorm
{
    public BatchNorm(int channels, float eps = 1e-5f)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        Channels = channels;
        Eps = eps;
        Weight = Filled(channels, 1f);
        Bias = Filled(channels, 0f);
        RunningMean = Filled(channels, 0f);
        RunningVar = Filled(channels, 1f);
    }

    public int Channels { get; }

    public float Eps { get; }

    /// <summary>Per-channel scale (gamma), float32 [C]; a parameter tensor, so gradients are found by it.</summary>
    public Tensor Weight { get; }

    /// <summary>Per-channel shift (beta), float32 [C].</summary>
    public Tensor Bias { get; }

    public Tensor RunningMean { get; }

    public Tensor RunningVar { get; }

    /// <summary>Normalise with batch statistics and update the running ones (PyTorch's train mode).</summary>
    public bool Training { get; set; }

    /// <summary>
    /// ReLU applied to the output in the same pass (a BatchNorm + ReLU unit): in training the ReLU output alone is
    /// written, and the backward masks the gradient while it recomputes the normalised values, with the bits of the
    /// two separate ops.
    /// </summary>
    public bool FuseRelu { get; set; }

    /// <summary>Weight of the newest batch in the running statistics (PyTorch's default 0.1).</summary>
    public float Momentum { get; init; } = 0.1f;

    /// <summary>Training batches seen (PyTorch's num_batches_tracked).</summary>
    public long BatchesTracked { get; private set; }

    /// <summary>PyTorch's BatchNorm1d state-dict entries under <paramref name="prefix"/>; num_batches_tracked is
    /// accepted and ignored (it only matters for training).</summary>
    public IEnumerable<NamedParameter> Parameters(string prefix)
    {
        yield return Vector(prefix + "weight", Weight, buffer: false);
        yield return Vector(prefix + "bias", Bias, buffer: false);
        yield return Vector(prefix + "running_mean", RunningMean, buffer: true);
        yield return Vector(prefix + "running_var", RunningVar, buffer: true);
        yield return new NamedParameter(
            prefix + "num_batches_tracked", [], () => Tensor.From([BatchesTracked], []), t => BatchesTracked = t.AsSpan<long>()[0])
        {
            IsBuffer = true,
            Optional = true,
            DType = DType.Int64,
        };
    }

    /// <summary>The per-channel affine map this normalisation applies at inference: y = x * scale + shift.</summary>
    public (float[] Scale, float[] Shift) InferenceAffine() => Affine();

    public SparseTensor Forward(SparseTensor input) => input.WithFeats(Forward(input.Feats));

    /// <summary>Normalises rows of features [N, Channels] (BatchNorm1d on point features).</summary>
    public Tensor Forward(Tensor features)
    {
        if (features.Rank != 2 || features.Size(1) != Channels)
        {
            throw new ShapeMismatchException(
                $"BatchNorm has {Channels} channels but the input has shape [{string.Join(", ", features.Shape)}].");
        }

        if (Training)
        {
            return BatchNormTraining.Forward(this, features);
        }

        (float[] scale, float[] shift) = Affine();
        Tensor copy = Tensor.Empty(DType.Float32, features.Device, features.Shape);
        features.AsSpan<float>().CopyTo(copy.AsSpan<float>());
        features.Device.Backend.ChannelAffine(copy, scale, shift, FuseRelu);
        return copy;
    }

    /// <summary>
    /// A convolution equal to this normalisation applied after <paramref name="conv"/>: weights scaled per output
    /// channel, bias = shift (+ scaled conv bias). One GEMM instead of a GEMM and a pass over the features.
    /// </summary>
    public Conv3d FoldInto(Conv3d conv)
    {
        if (conv.OutChannels != Channels)
        {
            throw new ShapeMismatchException(
                $"cannot fold BatchNorm({Channels}) into a conv with {conv.OutChannels} output channels.");
        }

        (float[] scale, float[] shift) = Affine();
        float[] weight = conv.Weight.ToArray<float>();
        for (int i = 0; i < weight.Length; i++)
        {
            weight[i] *= scale[i % Channels];
        }

        float[] bias = new float[Channels];
        float[]? oldBias = conv.Bias?.ToArray<float>();
        for (int c = 0; c < Channels; c++)
        {
            bias[c] = shift[c] + ((oldBias?[c] ?? 0f) * scale[c]);
        }

        // The folded layer belongs to an inference runtime that never writes its weights (changing a model's
        // parameters folds again), so the backend may cache their packed form.
        Tensor folded = Tensor.From(weight, conv.Weight.Shape);
        folded.Storage.MarkConstant();
        return conv.WithParameters(folded, Tensor.From(bias, Channels));
    }

    /// <summary>y = x * scale + shift with scale = weight / sqrt(var + eps), shift = bias - mean * scale.</summary>
    private (float[] Scale, float[] Shift) Affine()
    {
        var scale = new float[Channels];
        var shift = new float[Channels];
        ReadOnlySpan<float> weight = Weight.AsSpan<float>(), bias = Bias.AsSpan<float>();
        ReadOnlySpan<float> mean = RunningMean.AsSpan<float>(), variance = RunningVar.AsSpan<float>();
        for (int c = 0; c < Channels; c++)
        {
            scale[c] = weight[c] / MathF.Sqrt(variance[c] + Eps);
            shift[c] = bias[c] - (mean[c] * scale[c]);
        }

        return (scale, shift);
    }

    internal void CountBatch() => BatchesTracked++;

    /// <summary>Loads copy into the existing tensor, so the parameter keeps its identity for the tape.</summary>
    private NamedParameter Vector(string name, Tensor target, bool buffer) =>
        new(name, [Channels], () => target, t => t.AsSpan<float>().CopyTo(target.AsSpan<float>()))
        {
            IsBuffer = buffer,
        };

    private static Tensor Filled(int n, float value)
    {
        Tensor t = Tensor.Empty(DType.Float32, n);
        t.AsSpan<float>().Fill(value);
        return t;
    }
}
