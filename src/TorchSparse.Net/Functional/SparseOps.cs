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

        return a.WithFeats(FeatureOps.Add(a.Feats, b.Feats, relu));
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
            Device.RequireSame(inputs[0].Device, t.Device, nameof(Cat));
            total += t.Channels;
        }

        Tensor result = Tensor.Empty(DType.Float32, inputs[0].Device, inputs[0].Count, total);
        int column = 0;
        foreach (SparseTensor t in inputs)
        {
            result.Device.Backend.CopyColumns(t.Feats, result, column);
            column += t.Channels;
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

    private static SparseTensor Activate(SparseTensor input, float? slope) =>
        input.WithFeats(FeatureOps.Activate(input.Feats, slope));

    private static void RequireSameCoords(SparseTensor a, SparseTensor b, string op)
    {
        if (ReferenceEquals(a.Coords, b.Coords))
        {
            return;
        }

        if (a.Count != b.Count || a.Stride != b.Stride
            || !a.Coords.HostView<int>().SequenceEqual(b.Coords.HostView<int>()))
        {
            throw new ShapeMismatchException(
                $"{op}: tensors must have identical coordinates (same rows, same order, same stride); "
                + $"got {a.Count} rows at stride {a.Stride} and {b.Count} rows at stride {b.Stride}.");
        }
    }
}
