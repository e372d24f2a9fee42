using TorchSparse;
using TorchSparse.Nn;

namespace Pvcnn.Blocks;

/// <summary>Builds layers whose sizes come from a state dict's tensor shapes (SPVNAS subnets), with errors that
/// name the key.</summary>
internal sealed class ShapeReader(IReadOnlyDictionary<string, Tensor> sd, string? source)
{
    private string Where => source is null ? "the state dict" : $"'{source}'";

    public bool Has(string key) => sd.ContainsKey(key);

    /// <summary>A ConvBn from <c>{conv}kernel</c> ([K, Cin, Cout], or [Cin, Cout] for kernel size 1).</summary>
    public ConvBn ConvBn(string conv, string norm, int kernelSize, bool relu, out int cin, out int cout, bool transposed = false)
    {
        int[] shape = Shape(conv + "kernel");
        int volume = kernelSize * kernelSize * kernelSize;
        bool ok = kernelSize == 1 ? shape.Length == 2 : shape.Length == 3 && shape[0] == volume;
        if (!ok)
        {
            throw new ModelLoadException(
                $"{Where}: '{conv}kernel' has shape [{string.Join(", ", shape)}]; a {kernelSize}x{kernelSize}x{kernelSize} kernel needs "
                + (kernelSize == 1 ? "[Cin, Cout]." : $"[{volume}, Cin, Cout]."));
        }

        cin = shape[^2];
        cout = shape[^1];
        Conv3d layer = kernelSize == 2
            ? new Conv3d(cin, cout, 2, stride: 2, transposed: transposed)
            : new Conv3d(cin, cout, kernelSize);
        return new ConvBn(layer, conv, norm, relu);
    }

    /// <summary>The residual blocks <c>{prefix}0.</c>, <c>{prefix}1.</c>, ... that exist, chained from
    /// <paramref name="channels"/>, which ends as the last block's output width.</summary>
    public List<ResidualBlock> Blocks(string prefix, ref int channels)
    {
        var blocks = new List<ResidualBlock>();
        for (int j = 0; Has($"{prefix}{j}.net.0.net.conv.kernel"); j++)
        {
            string p = $"{prefix}{j}.";
            ConvBn first = ConvBn(p + "net.0.net.conv.", p + "net.0.net.bn.", 3, relu: true, out int cin, out int mid);
            RequireChain(p + "net.0.net.conv.kernel", cin, channels);
            ConvBn second = ConvBn(p + "net.1.net.conv.", p + "net.1.net.bn.", 3, relu: false, out int mid2, out int cout);
            RequireChain(p + "net.1.net.conv.kernel", mid2, mid);
            ConvBn? shortcut = null;
            if (Has(p + "downsample.net.conv.kernel"))
            {
                shortcut = ConvBn(p + "downsample.net.conv.", p + "downsample.net.bn.", 1, relu: false, out int sin, out int sout);
                RequireChain(p + "downsample.net.conv.kernel", sin, channels);
                RequireChain(p + "downsample.net.conv.kernel", sout, cout, "output");
            }
            else if (channels != cout)
            {
                throw new ModelLoadException(
                    $"{Where}: block '{p}' maps {channels} to {cout} channels but has no '{p}downsample.net.conv.kernel' shortcut.");
            }

            blocks.Add(new ResidualBlock(first, second, shortcut));
            channels = cout;
        }

        return blocks;
    }

    public LinearBn LinearBn(string linear, string norm, int input, int output)
    {
        int[] shape = Shape(linear + "weight");
        if (shape.Length != 2 || shape[0] != output || shape[1] != input)
        {
            throw new ModelLoadException(
                $"{Where}: '{linear}weight' has shape [{string.Join(", ", shape)}]; the stages it joins need [{output}, {input}].");
        }

        return new LinearBn(new Linear(input, output), linear, norm);
    }

    public void RequireChain(string key, int actual, int expected, string side = "input")
    {
        if (actual != expected)
        {
            throw new ModelLoadException(
                $"{Where}: '{key}' has {actual} {side} channels but the layer before it produces {expected}.");
        }
    }

    private int[] Shape(string key) => sd.TryGetValue(key, out Tensor? t)
        ? t.Shape
        : throw new ModelLoadException($"{Where} has no '{key}', which this SPVNAS layout needs.");
}
