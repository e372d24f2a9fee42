namespace TorchSparse.Nn;

/// <summary>
/// Inference batch normalisation over feature channels (PyTorch BatchNorm1d parameters: weight, bias,
/// running_mean, running_var, eps). It can be folded into the preceding convolution.
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

    public float[] Weight { get; }

    public float[] Bias { get; }

    public float[] RunningMean { get; }

    public float[] RunningVar { get; }

    /// <summary>PyTorch's BatchNorm1d state-dict entries under <paramref name="prefix"/>; num_batches_tracked is
    /// accepted and ignored (it only matters for training).</summary>
    public IEnumerable<NamedParameter> Parameters(string prefix)
    {
        yield return Vector(prefix + "weight", Weight, buffer: false);
        yield return Vector(prefix + "bias", Bias, buffer: false);
        yield return Vector(prefix + "running_mean", RunningMean, buffer: true);
        yield return Vector(prefix + "running_var", RunningVar, buffer: true);
        yield return new NamedParameter(prefix + "num_batches_tracked", [], () => Tensor.Zeros(DType.Int64), _ => { })
        {
            IsBuffer = true,
            Optional = true,
            DType = DType.Int64,
        };
    }

    /// <summary>The per-channel affine map this normalisation applies at inference: y = x * scale + shift.</summary>
    public (float[] Scale, float[] Shift) InferenceAffine() => Affine();

    public SparseTensor Forward(SparseTensor input)
    {
        if (input.Channels != Channels)
        {
            throw new ShapeMismatchException($"BatchNorm has {Channels} channels but the input has {input.Channels}.");
        }

        (float[] scale, float[] shift) = Affine();
        Tensor copy = Tensor.Empty(DType.Float32, input.Device, input.Count, input.Channels);
        input.Feats.AsSpan<float>().CopyTo(copy.AsSpan<float>());
        input.Device.Backend.ChannelAffine(copy, scale, shift);
        return input.WithFeats(copy);
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

        Conv.ConvGeometry g = conv.Geometry;
        var folded = new Conv3d(conv.InChannels, conv.OutChannels, g.KernelSize, g.Stride, g.Dilation, g.Padding,
            bias: true, g.Transposed, g.Generative, g.Rule) { Config = conv.Config, FuseRelu = conv.FuseRelu };
        folded.LoadParameters(Tensor.From(weight, conv.Weight.Shape), Tensor.From(bias, Channels));
        return folded;
    }

    /// <summary>y = x * scale + shift with scale = weight / sqrt(var + eps), shift = bias - mean * scale.</summary>
    private (float[] Scale, float[] Shift) Affine()
    {
        var scale = new float[Channels];
        var shift = new float[Channels];
        for (int c = 0; c < Channels; c++)
        {
            scale[c] = Weight[c] / MathF.Sqrt(RunningVar[c] + Eps);
            shift[c] = Bias[c] - (RunningMean[c] * scale[c]);
        }

        return (scale, shift);
    }

    private NamedParameter Vector(string name, float[] target, bool buffer) =>
        new(name, [Channels], () => Tensor.From((float[])target.Clone(), Channels), t => t.AsSpan<float>().CopyTo(target))
        {
            IsBuffer = buffer,
        };

    private static float[] Filled(int n, float value)
    {
        var a = new float[n];
        Array.Fill(a, value);
        return a;
    }
}
