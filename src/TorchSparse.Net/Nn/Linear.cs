using TorchSparse.Autograd;

namespace TorchSparse.Nn;

/// <summary>
/// A fully connected layer on row features [N, in] with PyTorch's parameter layout (weight [out, in], bias [out]),
/// so classifier and point-transform weights load from checkpoints unchanged.
/// </summary>
public sealed class Linear
{
    private Tensor weight;
    private Tensor? bias;

    public Linear(int inFeatures, int outFeatures, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        weight = Tensor.Zeros(DType.Float32, outFeatures, inFeatures);
        this.bias = bias ? Tensor.Zeros(DType.Float32, outFeatures) : null;
    }

    public int InFeatures { get; }

    public int OutFeatures { get; }

    public Tensor Weight => weight;

    public Tensor? Bias => bias;

    /// <summary>State-dict entries <c>{prefix}weight</c> and <c>{prefix}bias</c>.</summary>
    public IEnumerable<NamedParameter> Parameters(string prefix)
    {
        yield return new NamedParameter(prefix + "weight", weight.Shape, () => weight, w => LoadParameters(w, bias));
        if (bias is not null)
        {
            yield return new NamedParameter(prefix + "bias", bias.Shape, () => bias, b => LoadParameters(weight, b));
        }
    }

    /// <summary>Replaces the parameters, checking shapes.</summary>
    public void LoadParameters(Tensor newWeight, Tensor? newBias)
    {
        if (newWeight.DType != DType.Float32 || newWeight.Rank != 2 || newWeight.Size(0) != OutFeatures
            || newWeight.Size(1) != InFeatures)
        {
            throw new ShapeMismatchException(
                $"Linear weight must be float32 [{OutFeatures}, {InFeatures}]; got {newWeight.DType} [{string.Join(", ", newWeight.Shape)}].");
        }

        if ((newBias is null) != (bias is null) || (newBias is not null
            && (newBias.DType != DType.Float32 || newBias.Rank != 1 || newBias.Size(0) != OutFeatures)))
        {
            throw new ShapeMismatchException(bias is null
                ? "this Linear has no bias."
                : $"Linear bias must be float32 [{OutFeatures}].");
        }

        weight = newWeight;
        bias = newBias;
    }

    /// <summary>y = x W^T + b for x [N, in]; optionally ReLU fused into the same pass over the output.</summary>
    public Tensor Forward(Tensor input, bool relu = false)
    {
        if (input.DType != DType.Float32 || input.Rank != 2 || input.Size(1) != InFeatures)
        {
            throw new ShapeMismatchException(
                $"Linear expects float32 [N, {InFeatures}]; got {input.DType} [{string.Join(", ", input.Shape)}].");
        }

        Tensor output = Tensor.Empty(DType.Float32, input.Device, input.Size(0), OutFeatures);
        input.Device.Backend.MatMulTransposedB(input, weight, output);   // [N, in] x [out, in]^T
        if (bias is not null)
        {
            var ones = new float[OutFeatures];
            Array.Fill(ones, 1f);
            ReadOnlySpan<float> shift = bias.HostView<float>();
            input.Device.Backend.ChannelAffine(output, ones, shift, relu);
        }
        else if (relu)
        {
            input.Device.Backend.Activate(output, output, slope: null);
        }

        if (GradientTape.IsRecording)
        {
            Tensor w = weight;
            Tensor? b = bias;
            GradientTape.Record(output, b is null ? [input, w] : [input, w, b], g =>
            {
                Tensor dy = relu ? Autograd.Backward.ReluFromOutput(g, output) : g;
                Tensor dx = Tensor.Empty(DType.Float32, input.Device, input.Size(0), InFeatures);
                input.Device.Backend.MatMul(dy, w, dx);                           // [N, out] x [out, in]
                Tensor dw = Tensor.Empty(DType.Float32, input.Device, OutFeatures, InFeatures);
                input.Device.Backend.MatMulTransposedA(dy, input, dw);            // [N, out]^T x [N, in]
                return b is null ? [dx, dw] : [dx, dw, Conv.SparseConvGrad.BiasGrad(dy)];
            });
        }

        return output;
    }

    /// <summary>A copy of this layer whose parameters live on <paramref name="device"/> (a model's runtime layer on
    /// the device it runs on).</summary>
    public Linear CopyTo(Device device)
    {
        var copy = new Linear(InFeatures, OutFeatures, bias is not null);
        copy.LoadParameters(weight.CopyTo(device), bias?.CopyTo(device));
        return copy;
    }

    /// <summary>This layer followed by <paramref name="norm"/>, as one layer (rows scaled, bias shifted).</summary>
    public Linear FoldBatchNorm(BatchNorm norm)
    {
        if (norm.Channels != OutFeatures)
        {
            throw new ShapeMismatchException(
                $"cannot fold BatchNorm({norm.Channels}) into a Linear with {OutFeatures} outputs.");
        }

        (float[] scale, float[] shift) = norm.InferenceAffine();
        float[] w = weight.ToArray<float>();
        float[]? b = bias?.ToArray<float>();
        var foldedBias = new float[OutFeatures];
        for (int o = 0; o < OutFeatures; o++)
        {
            for (int i = 0; i < InFeatures; i++)
            {
                w[(o * InFeatures) + i] *= scale[o];
            }

            foldedBias[o] = ((b?[o] ?? 0f) * scale[o]) + shift[o];
        }

        var folded = new Linear(InFeatures, OutFeatures, bias: true);
        folded.LoadParameters(Tensor.From(w, OutFeatures, InFeatures), Tensor.From(foldedBias, OutFeatures));
        return folded;
    }

    /// <summary>Keeps only the first <paramref name="inFeatures"/> input columns (SPVNAS's classifier is stored at
    /// the supernet's width and sliced to the subnet's). The bias is shared and the slice is recorded on an active
    /// tape, so a step through the slice has gradients for this layer's own parameters.</summary>
    public Linear SliceInputs(int inFeatures)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inFeatures, InFeatures);
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        var result = new Linear(inFeatures, OutFeatures, bias is not null);
        result.LoadParameters(Functional.FeatureOps.Columns(weight, 0, inFeatures), bias);
        return result;
    }
}
