using TorchSparse.Autograd;
using TorchSparse.Backends;
using TorchSparse.KernelMaps;

namespace TorchSparse.Conv;

/// <summary>The gradients of one sparse convolution, from <see cref="SparseConvGrad.Backward"/>.</summary>
/// <param name="InputGrad">dL/d(input features), [N, Cin], row for row with the input.</param>
/// <param name="WeightGrad">dL/d(weight), in the weight's own shape ([K, Cin, Cout] or [Cin, Cout]).</param>
/// <param name="BiasGrad">dL/d(bias), [Cout], when it was asked for; otherwise null.</param>
public sealed record ConvGradients(Tensor InputGrad, Tensor WeightGrad, Tensor? BiasGrad);

/// <summary>
/// The backward of <see cref="SparseConv.Forward(SparseTensor, Tensor, Tensor?, ConvGeometry, ConvConfig?)"/> as pure
/// functions: from the forward's input, weight and geometry and the gradient of the loss with respect to its output
/// features, the gradients with respect to the input features, the weight and the bias. Every conv kind is covered
/// (submanifold, strided, transposed, generative, pointwise). The kernel map is the one the forward built: it is
/// looked up in the input's cache, never rebuilt, and its absence is a <see cref="MissingKernelMapException"/>.
/// </summary>
/// <remarks>
/// The input gradient runs a forward conv of the output gradient over the transposed map with transposed weights, so
/// it has every <see cref="Dataflow"/> and the forward's speed. The weight gradient sums, per kernel offset, the outer
/// products of the offset's input and output-gradient rows. Like the forward, every result has the same bits for any
/// <see cref="Device.CpuThreads"/>. A fused ReLU is not part of this: apply its mask to the output gradient first.
/// </remarks>
public static class SparseConvGrad
{
    /// <summary>All gradients of one conv; the bias gradient only when <paramref name="withBias"/>.</summary>
    public static ConvGradients Backward(
        SparseTensor input, Tensor weight, ConvGeometry geometry, Tensor outputGrad, bool withBias = false,
        ConvConfig? config = null)
    {
        Tensor inputGrad = InputGrad(input, weight, geometry, outputGrad, config);
        Tensor weightGrad = WeightGrad(input, weight, geometry, outputGrad);
        return new ConvGradients(inputGrad, weightGrad, withBias ? BiasGrad(outputGrad) : null);
    }

    /// <summary>
    /// dL/dX [N, Cin]: <c>dX[i] = sum over pairs (o, i, k) of dY[o] * W[k]^T</c>, run with the dataflow of
    /// <paramref name="config"/> (default <see cref="ConvConfig.Default"/>).
    /// </summary>
    public static Tensor InputGrad(
        SparseTensor input, Tensor weight, ConvGeometry geometry, Tensor outputGrad, ConvConfig? config = null)
    {
        (int cin, int cout, KernelMap? map) = Prepare(input, weight, geometry, outputGrad);
        Backend backend = input.Device.Backend;
        Tensor inputGrad = Tensor.Empty(DType.Float32, input.Device, input.Count, cin);
        if (map is null)
        {
            backend.MatMulTransposedB(outputGrad, weight.Reshape(cin, cout), inputGrad);
        }
        else
        {
            using (TapeProfile.Time(TapeProfile.KernelMaps))
            {
                // Built on the first backward and kept with the map; timed here so a profile counts it as a map.
                _ = map.InputGradMap;
            }

            backend.SparseConvInputGrad(outputGrad, weight, map, config ?? ConvConfig.Default, inputGrad);
        }

        return inputGrad;
    }

    /// <summary>
    /// dL/dW in the weight's shape: <c>dW[k] = sum over pairs (o, i) of offset k of X[i]^T * dY[o]</c>, summed in a
    /// fixed order (per offset and range of output rows in pair order, then the ranges in order).
    /// </summary>
    public static Tensor WeightGrad(SparseTensor input, Tensor weight, ConvGeometry geometry, Tensor outputGrad)
    {
        (int cin, int cout, KernelMap? map) = Prepare(input, weight, geometry, outputGrad);
        Backend backend = input.Device.Backend;
        Tensor weightGrad = Tensor.Empty(DType.Float32, input.Device, weight.Shape);
        if (map is null)
        {
            backend.MatMulTransposedA(input.Feats, outputGrad, weightGrad.Reshape(cin, cout));
        }
        else
        {
            using (TapeProfile.Time(TapeProfile.KernelMaps))
            {
                _ = map.Pairs;
            }

            backend.SparseConvWeightGrad(input.Feats, outputGrad, map, weightGrad);
        }

        return weightGrad;
    }

    /// <summary>dL/db [Cout]: the column sums of the output gradient, in a fixed order.</summary>
    public static Tensor BiasGrad(Tensor outputGrad)
    {
        RequireFloat32Rows(outputGrad);
        Tensor biasGrad = Tensor.Empty(DType.Float32, outputGrad.Device, outputGrad.Size(1));
        outputGrad.Device.Backend.ColumnSums(outputGrad, biasGrad);
        return biasGrad;
    }

    /// <summary>Validates the arguments and finds the forward's map (null for a pointwise layer, which has none).</summary>
    private static (int Cin, int Cout, KernelMap? Map) Prepare(
        SparseTensor input, Tensor weight, ConvGeometry geometry, Tensor outputGrad)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(geometry);
        geometry.Validate();
        (int cin, int cout) = SparseConv.ValidateWeights(input, weight, null, geometry);
        RequireFloat32Rows(outputGrad);
        Device.RequireSame(input.Device, outputGrad.Device, "conv output gradient");
        KernelMap? map = geometry.IsPointwise ? null : KernelMapResolver.Find(input, geometry);
        int rows = map?.OutputCount ?? input.Count;
        if (outputGrad.Size(0) != rows || outputGrad.Size(1) != cout)
        {
            throw new ShapeMismatchException(
                $"the output gradient must be [{rows}, {cout}] like the conv's output; "
                + $"got [{string.Join(", ", outputGrad.Shape)}].");
        }

        return (cin, cout, map);
    }

    private static void RequireFloat32Rows(Tensor outputGrad)
    {
        ArgumentNullException.ThrowIfNull(outputGrad);
        if (outputGrad.DType != DType.Float32)
        {
            throw new DTypeMismatchException(
                $"sparse conv gradients are computed in float32; got an output gradient of {outputGrad.DType}.");
        }

        if (outputGrad.Rank != 2)
        {
            throw new ShapeMismatchException(
                $"the output gradient must be [rows, Cout]; got [{string.Join(", ", outputGrad.Shape)}].");
        }
    }
}
