using TorchSparse.Autograd;
using TorchSparse.KernelMaps;

namespace TorchSparse.Conv;

/// <summary>The functional sparse convolution. Modules (<see cref="Nn.Conv3d"/>) hold weights and call this.</summary>
public static class SparseConv
{
    /// <summary>
    /// Convolves <paramref name="input"/> with <paramref name="weight"/> [K, Cin, Cout] ([Cin, Cout] when K = 1).
    /// The kernel map comes from, and goes into, the input's cache.
    /// </summary>
    public static SparseTensor Forward(
        SparseTensor input, Tensor weight, Tensor? bias, ConvGeometry geometry, ConvConfig? config = null) =>
        Forward(input, weight, bias, geometry, config, relu: false);

    /// <summary>As above, with ReLU applied in the same pass as the bias (conv + BN + ReLU blocks).</summary>
    internal static SparseTensor Forward(
        SparseTensor input, Tensor weight, Tensor? bias, ConvGeometry geometry, ConvConfig? config, bool relu)
    {
        using TapeProfile.Scope timing = TapeProfile.Time(TapeProfile.Convs);
        geometry.Validate();
        (int cin, int cout) = ValidateWeights(input, weight, bias, geometry);
        Backends.Backend backend = input.Device.Backend;
        if (geometry.IsPointwise)
        {
            Tensor product = Tensor.Empty(DType.Float32, input.Device, input.Count, cout);
            backend.MatMul(input.Feats, weight.Reshape(cin, cout), product);
            Epilogue(product, bias, relu);
            RecordBackward(input, weight, bias, geometry, config, relu, product);
            return new SparseTensor(product, input.Coords, input.Stride, input.Cache);
        }

        ResolvedMap resolved;
        using (TapeProfile.Time(TapeProfile.KernelMaps))
        {
            resolved = KernelMapResolver.Resolve(input, geometry);
        }

        Tensor output = Tensor.Empty(DType.Float32, input.Device, resolved.Map.OutputCount, cout);
        backend.SparseConv(input.Feats, weight, resolved.Map, config ?? ConvConfig.Default, output);
        Epilogue(output, bias, relu);
        RecordBackward(input, weight, bias, geometry, config, relu, output);
        return new SparseTensor(output, resolved.OutCoords, resolved.OutStride, resolved.OutCache);
    }

    /// <summary>On an active tape: the conv's backward over the same kernel map (ReLU mask from the output first).</summary>
    private static void RecordBackward(
        SparseTensor input, Tensor weight, Tensor? bias, ConvGeometry geometry, ConvConfig? config, bool relu, Tensor output)
    {
        if (!GradientTape.IsRecording)
        {
            return;
        }

        GradientTape.Record(output, bias is null ? [input.Feats, weight] : [input.Feats, weight, bias], g =>
        {
            Tensor dy = relu ? Autograd.Backward.ReluFromOutput(g, output) : g;
            ConvGradients grads = SparseConvGrad.Backward(input, weight, geometry, dy, bias is not null, config);
            return bias is null ? [grads.InputGrad, grads.WeightGrad] : [grads.InputGrad, grads.WeightGrad, grads.BiasGrad];
        }, category: TapeProfile.Convs);
    }

    /// <summary>The kernel map <see cref="Forward(SparseTensor, Tensor, Tensor?, ConvGeometry, ConvConfig?)"/> would use, built into the input's cache if missing.</summary>
    public static KernelMap KernelMapFor(SparseTensor input, ConvGeometry geometry)
    {
        geometry.Validate();
        return KernelMapResolver.Resolve(input, geometry).Map;
    }

    internal static (int Cin, int Cout) ValidateWeights(SparseTensor input, Tensor weight, Tensor? bias, ConvGeometry g)
    {
        if (input.Feats.DType != DType.Float32 || weight.DType != DType.Float32)
        {
            throw new DTypeMismatchException(
                $"sparse conv computes in float32; got feats {input.Feats.DType} and weight {weight.DType} "
                + "(convert float16 storage with To(DType.Float32)).");
        }

        Device.RequireSame(input.Device, weight.Device, "conv weight");
        int volume = g.KernelVolume;
        int cin;
        int cout;
        if (weight.Rank == 3 && weight.Size(0) == volume)
        {
            cin = weight.Size(1);
            cout = weight.Size(2);
        }
        else if (weight.Rank == 2 && volume == 1)
        {
            cin = weight.Size(0);
            cout = weight.Size(1);
        }
        else
        {
            throw new ShapeMismatchException(
                $"conv weight must be [{volume}, Cin, Cout] for kernel {g.KernelSize}"
                + (volume == 1 ? " (or [Cin, Cout])" : string.Empty) + $"; got [{string.Join(", ", weight.Shape)}].");
        }

        if (cin != input.Channels)
        {
            throw new ShapeMismatchException(
                $"conv weight expects {cin} input channels but the input has {input.Channels}.");
        }

        if (bias is not null && (bias.Rank != 1 || bias.Size(0) != cout || bias.DType != DType.Float32))
        {
            throw new ShapeMismatchException(
                $"conv bias must be float32 [{cout}]; got {bias.DType} [{string.Join(", ", bias.Shape)}].");
        }

        return (cin, cout);
    }

    /// <summary>output += bias, then ReLU when asked, in one pass over the output.</summary>
    private static void Epilogue(Tensor output, Tensor? bias, bool relu)
    {
        if (bias is null)
        {
            if (relu)
            {
                output.Device.Backend.Activate(output, output, slope: null);
            }

            return;
        }

        var ones = new float[bias.Size(0)];
        Array.Fill(ones, 1f);
        // The bias is a handful of floats: the backend's affine pass takes them from host memory.
        ReadOnlySpan<float> shift = bias.HostView<float>();
        output.Device.Backend.ChannelAffine(output, ones, shift, relu);
    }
}
