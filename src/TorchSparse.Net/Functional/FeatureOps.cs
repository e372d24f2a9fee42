using TorchSparse.Autograd;

namespace TorchSparse.Functional;

/// <summary>
/// Element-wise and column operations on plain feature matrices [N, C] (point features, weights), recorded on an
/// active <see cref="GradientTape"/>. Each returns a new tensor: an in-place update would change a tensor the tape
/// already holds as some step's output, and its gradient would never reach what the update added.
/// </summary>
public static class FeatureOps
{
    public static Tensor Relu(Tensor input) => Activate(input, slope: null);

    /// <summary>a + b (same shape).</summary>
    public static Tensor Add(Tensor a, Tensor b) => Add(a, b, relu: false);

    /// <summary>
    /// Inverted dropout (PyTorch's nn.Dropout in training): each element is zeroed with probability
    /// <paramref name="probability"/> and the rest are scaled by 1 / (1 - p), so the expectation is unchanged. The
    /// mask comes from <paramref name="random"/> in row-major order, so equal seeds give equal masks, and backward
    /// applies the same mask.
    /// </summary>
    public static Tensor Dropout(Tensor input, double probability, Random random)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegative(probability);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(probability, 1.0);
        var mask = new float[input.Length];
        float keep = (float)(1 / (1 - probability));
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = random.NextDouble() < probability ? 0f : keep;
        }

        Tensor output = Scaled(input, mask);
        if (GradientTape.IsRecording)
        {
            GradientTape.Record(output, [input], g => [Scaled(g, mask)]);
        }

        return output;
    }

    /// <summary>Columns [from, from + width) of a [N, C] matrix; backward puts the gradient back in place and zeros
    /// elsewhere (how a layer stored at a larger width runs on its first columns).</summary>
    public static Tensor Columns(Tensor input, int from, int width)
    {
        ArgumentNullException.ThrowIfNull(input);
        int total = input.Size(1);
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(from + width, total);
        int rows = input.Size(0);
        Tensor output = Tensor.Empty(DType.Float32, input.Device, rows, width);
        CopyColumns(input, from, output, 0, width);
        if (GradientTape.IsRecording)
        {
            GradientTape.Record(output, [input], g =>
            {
                Tensor widened = Tensor.Zeros(DType.Float32, g.Device, rows, total);
                CopyColumns(g, 0, widened, from, width);
                return [widened];
            });
        }

        return output;
    }

    internal static Tensor Add(Tensor a, Tensor b, bool relu)
    {
        if (!a.Shape.AsSpan().SequenceEqual(b.Shape))
        {
            throw new ShapeMismatchException(
                $"Add: shapes differ ([{string.Join(", ", a.Shape)}] and [{string.Join(", ", b.Shape)}]).");
        }

        Tensor sum = Tensor.Empty(DType.Float32, a.Device, a.Shape);
        a.Device.Backend.Add(a, b, sum, relu);
        if (GradientTape.IsRecording)
        {
            GradientTape.Record(sum, [a, b], g =>
            {
                Tensor d = relu ? Backward.ReluFromOutput(g, sum) : g;
                return [d, d];
            });
        }

        return sum;
    }

    internal static Tensor Activate(Tensor input, float? slope)
    {
        Tensor output = Backward.Like(input);
        input.Device.Backend.Activate(input, output, slope);
        if (GradientTape.IsRecording)
        {
            GradientTape.Record(output, [input], g => [Backward.Activation(g, input, slope ?? 0f)]);
        }

        return output;
    }

    private static Tensor Scaled(Tensor input, float[] factors)
    {
        Tensor result = Backward.Like(input);
        ReadOnlySpan<float> x = input.AsSpan<float>();
        Span<float> y = result.AsSpan<float>();
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = x[i] * factors[i];
        }

        return result;
    }

    /// <summary>Copies columns [sourceFrom, sourceFrom + width) of every row of one [N, *] matrix to columns
    /// [targetFrom, targetFrom + width) of another.</summary>
    private static void CopyColumns(Tensor source, int sourceFrom, Tensor target, int targetFrom, int width)
    {
        int sourceWidth = source.Size(1), targetWidth = target.Size(1);
        ReadOnlySpan<float> s = source.AsSpan<float>();
        Span<float> t = target.AsSpan<float>();
        for (int r = 0; r < source.Size(0); r++)
        {
            s.Slice((r * sourceWidth) + sourceFrom, width).CopyTo(t.Slice((r * targetWidth) + targetFrom, width));
        }
    }
}
