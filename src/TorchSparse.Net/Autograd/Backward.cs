namespace TorchSparse.Autograd;

/// <summary>Gradient formulas of the element-wise and channel ops, on the host (CPU tensors).</summary>
internal static class Backward
{
    /// <summary>dx = dy where the activation's input was positive, slope * dy elsewhere (ReLU: slope 0).</summary>
    public static Tensor Activation(Tensor outputGrad, Tensor input, float slope)
    {
        Tensor result = Like(outputGrad);
        outputGrad.Device.Backend.ActivationGrad(outputGrad, input, slope, result);
        return result;
    }

    /// <summary>dx = dy where the ReLU's output was positive (for fused ops that keep only the output).</summary>
    public static Tensor ReluFromOutput(Tensor outputGrad, Tensor output) => Activation(outputGrad, output, 0f);

    /// <summary>Columns [from, from + width) of a [N, C] gradient.</summary>
    public static Tensor Columns(Tensor grad, int from, int width)
    {
        int rows = grad.Size(0);
        int total = grad.Size(1);
        Tensor result = Tensor.Empty(DType.Float32, grad.Device, rows, width);
        ReadOnlySpan<float> g = grad.AsSpan<float>();
        Span<float> d = result.AsSpan<float>();
        for (int r = 0; r < rows; r++)
        {
            g.Slice((r * total) + from, width).CopyTo(d.Slice(r * width, width));
        }

        return result;
    }

    public static Tensor Like(Tensor t) => Tensor.Empty(DType.Float32, t.Device, t.Shape);
}
