using TorchSparse.Conv;
using TorchSparse.KernelMaps;

namespace TorchSparse.Nn;

/// <summary>
/// Sparse 3D convolution layer with TorchSparse's parameter layout: <see cref="Weight"/> is [K, Cin, Cout]
/// ([Cin, Cout] for a 1x1x1 stride-1 layer), offsets in TorchSparse order, so official checkpoints load unchanged.
/// </summary>
public sealed class Conv3d
{
    public Conv3d(
        int inChannels,
        int outChannels,
        Int3 kernelSize,
        Int3? stride = null,
        Int3? dilation = null,
        Int3? padding = null,
        bool bias = false,
        bool transposed = false,
        bool generative = false,
        DownsampleRule rule = DownsampleRule.TorchSparse,
        int seed = 0)
    {
        if (inChannels <= 0 || outChannels <= 0)
        {
            throw new ArgumentOutOfRangeException(
                inChannels <= 0 ? nameof(inChannels) : nameof(outChannels), "channel counts must be positive.");
        }

        Geometry = new ConvGeometry(kernelSize, stride, dilation, padding)
        {
            Transposed = transposed,
            Generative = generative,
            Rule = rule,
        };
        Geometry.Validate();
        InChannels = inChannels;
        OutChannels = outChannels;
        int volume = Geometry.KernelVolume;
        Weight = volume == 1 && Geometry.IsPointwise
            ? Tensor.Zeros(DType.Float32, inChannels, outChannels)
            : Tensor.Zeros(DType.Float32, volume, inChannels, outChannels);
        Bias = bias ? Tensor.Zeros(DType.Float32, outChannels) : null;
        InitializeUniform(seed);
    }

    public int InChannels { get; }

    public int OutChannels { get; }

    public ConvGeometry Geometry { get; }

    public Tensor Weight { get; private set; }

    public Tensor? Bias { get; private set; }

    /// <summary>Execution choice for this layer; the autotuner sets it.</summary>
    public ConvConfig Config { get; set; } = ConvConfig.Default;

    /// <summary>Applies ReLU to the output in the same pass that owns it (conv + BN + ReLU blocks).</summary>
    public bool FuseRelu { get; set; }

    /// <summary>Tensor stride of the last input, which decides the layer's kernel-map group for tuning.</summary>
    public Int3? LastInputStride { get; private set; }

    public SparseTensor Forward(SparseTensor input)
    {
        LastInputStride = input.Stride;
        return SparseConv.Forward(input, Weight, Bias, Geometry, Config, FuseRelu);
    }

    /// <summary>Replaces the parameters (for loading checkpoints), checking shapes.</summary>
    public void LoadParameters(Tensor weight, Tensor? bias)
    {
        if (!weight.Shape.AsSpan().SequenceEqual(Weight.Shape) || weight.DType != DType.Float32)
        {
            throw new ShapeMismatchException(
                $"weight must be float32 [{string.Join(", ", Weight.Shape)}]; got {weight.DType} [{string.Join(", ", weight.Shape)}].");
        }

        if ((bias is null) != (Bias is null) || (bias is not null && bias.Size(0) != OutChannels))
        {
            throw new ShapeMismatchException(Bias is null
                ? "this layer has no bias; construct it with bias: true to load one."
                : $"bias must be float32 [{OutChannels}].");
        }

        Weight = weight;
        Bias = bias;
    }

    /// <summary>A copy of this layer (geometry, config, fused ReLU) whose parameters live on
    /// <paramref name="device"/>.</summary>
    public Conv3d CopyTo(Device device) => WithParameters(Weight.CopyTo(device), Bias?.CopyTo(device));

    /// <summary>A layer of the same geometry, config and fused ReLU with other parameters (a bias or none).</summary>
    internal Conv3d WithParameters(Tensor weight, Tensor? bias)
    {
        ConvGeometry g = Geometry;
        var copy = new Conv3d(InChannels, OutChannels, g.KernelSize, g.Stride, g.Dilation, g.Padding, bias is not null,
            g.Transposed, g.Generative, g.Rule) { Config = Config, FuseRelu = FuseRelu };
        copy.LoadParameters(weight, bias);
        return copy;
    }

    /// <summary>The layer's state-dict entries: <c>{prefix}kernel</c> (TorchSparse's name) and, with a bias,
    /// <c>{prefix}bias</c>.</summary>
    public IEnumerable<NamedParameter> Parameters(string prefix)
    {
        yield return new NamedParameter(prefix + "kernel", Weight.Shape, () => Weight, w => LoadParameters(w, Bias));
        if (Bias is not null)
        {
            yield return new NamedParameter(prefix + "bias", Bias.Shape, () => Bias, b => LoadParameters(Weight, b));
        }
    }

    /// <summary>TorchSparse's init: U(-1/sqrt(C*K), 1/sqrt(C*K)) with C = Cout if transposed else Cin.</summary>
    private void InitializeUniform(int seed)
    {
        int fan = (Geometry.Transposed ? OutChannels : InChannels) * Geometry.KernelVolume;
        float bound = 1f / MathF.Sqrt(fan);
        var random = new Random(seed);
        Span<float> w = Weight.AsSpan<float>();
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = ((float)random.NextDouble() * 2f - 1f) * bound;
        }

        if (Bias is not null)
        {
            Span<float> b = Bias.AsSpan<float>();
            for (int i = 0; i < b.Length; i++)
            {
                b[i] = ((float)random.NextDouble() * 2f - 1f) * bound;
            }
        }
    }
}
