using TorchSparse.Autograd;

namespace TorchSparse.Functional;

/// <summary>Element-wise and channel operations on sparse tensors that share coordinates.</summary>
public static class SparseOps
{
    public static SparseTensor Relu(SparseTensor input) => Activate(input, slope: null);

    public static SparseTensor LeakyRelu(SparseTensor input, float slope = 0.01f) => Activate(input, slope);

    /// <summary>Feature sum of two tensors on the same coordinates (residual connections).</summary>
    public static SparseTensor Add(SparseTensor a, SparseTensor b) => Add(a, b, relu: false);

    private static SparseTensor Add(SparseTensor a, SparseTensor b, bool relu)
    {
        RequireSameCoords(a, b, nameof(Add));
        if (a.Channels != b.Channels)
        {
            throw new ShapeMismatchException($"Add: channel counts differ ({a.Channels} and {b.Channels}).");
        }

        Tensor sum = Tensor.Empty(DType.Float32, a.Device, a.Count, a.Channels);
        a.Device.Backend.Add(a.Feats, b.Feats, sum, relu);
        if (GradientTape.IsRecording)
        {
            GradientTape.Record(sum, [a.Feats, b.Feats], g =>
            {
                Tensor d = relu ? Backward.ReluFromOutput(g, sum) : g;
                return [d, d];
            });
        }

        return a.WithFeats(sum);
    }

    /// <summary>ReLU(a + b) in one output tensor: the closing step of a residual block.</summary>
    public static SparseTensor AddRelu(SparseTensor a, SparseTensor b) => Add(a, b, relu: true);

    /// <summary>Concatenates channels of tensors on the same coordinates, in argument order.</summary>
    public static SparseTensor Cat(params SparseTensor[] inputs)
    {
        if (inputs.Length == 0)
        {
            throw new ArgumentException("Cat needs at least one tensor.", nameof(inputs));
        }

        int total = 0;
        foreach (SparseTensor t in inputs)
        {
            RequireSameCoords(inputs[0], t, nameof(Cat));
            RequireCpu(t, nameof(Cat));
            total += t.Channels;
        }

        int rows = inputs[0].Count;
        Tensor result = Tensor.Empty(DType.Float32, inputs[0].Device, rows, total);
        Span<float> dst = result.AsSpan<float>();
        int column = 0;
        foreach (SparseTensor t in inputs)
        {
            ReadOnlySpan<float> src = t.Feats.AsSpan<float>();
            int c = t.Channels;
            for (int r = 0; r < rows; r++)
            {
                src.Slice(r * c, c).CopyTo(dst.Slice((r * total) + column, c));
            }

            column += c;
        }

        if (GradientTape.IsRecording)
        {
            GradientTape.Record(result, [.. inputs.Select(t => t.Feats)], g =>
            {
                var grads = new Tensor?[inputs.Length];
                for (int i = 0, from = 0; i < inputs.Length; from += inputs[i].Channels, i++)
                {
                    grads[i] = Backward.Columns(g, from, inputs[i].Channels);
                }

                return grads;
            });
        }

        return inputs[0].WithFeats(result);
    }

    internal static void RequireCpu(SparseTensor t, string op)
    {
        if (t.Device.Kind != DeviceKind.Cpu)
        {
            throw new NotSupportedException($"{op} runs on the CPU backend only so far; the tensor is on {t.Device}.");
        }
    }

    private static SparseTensor Activate(SparseTensor input, float? slope)
    {
        Tensor output = Tensor.Empty(DType.Float32, input.Device, input.Count, input.Channels);
        input.Device.Backend.Activate(input.Feats, output, slope);
        if (GradientTape.IsRecording)
        {
            GradientTape.Record(output, [input.Feats], g => [Backward.Activation(g, input.Feats, slope ?? 0f)]);
        }

        return input.WithFeats(output);
    }

    private static void RequireSameCoords(SparseTensor a, SparseTensor b, string op)
    {
        if (ReferenceEquals(a.Coords, b.Coords))
        {
            return;
        }

        if (a.Count != b.Count || a.Stride != b.Stride
            || !a.Coords.AsSpan<int>().SequenceEqual(b.Coords.AsSpan<int>()))
        {
            throw new ShapeMismatchException(
                $"{op}: tensors must have identical coordinates (same rows, same order, same stride); "
                + $"got {a.Count} rows at stride {a.Stride} and {b.Count} rows at stride {b.Stride}.");
        }
    }
}
