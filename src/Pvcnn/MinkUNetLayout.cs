using Pvcnn.Blocks;
using TorchSparse;
using TorchSparse.Nn;

namespace Pvcnn;

/// <summary>MinkUNet's layer layout and key names (spvnas core/models/semantic_kitti/minkunet.py), shared with
/// SPVCNN, whose voxel branch is the same network.</summary>
internal static class MinkUNetLayout
{
    public static readonly int[] BaseWidths = [32, 32, 64, 128, 256, 256, 128, 96, 96];

    /// <summary>int(cr * w) as Python truncates it: cr 0.64 gives [20, 20, 40, 81, 163, 163, 81, 61, 61].</summary>
    public static int[] WidthsFor(double cr)
    {
        if (!(cr > 0) || !double.IsFinite(cr))
        {
            throw new ArgumentOutOfRangeException(nameof(cr), cr, "the channel ratio cr must be positive.");
        }

        return BaseWidths.Select(w => (int)(cr * w)).ToArray();
    }

    public static int[] Validate(IReadOnlyList<int> widths)
    {
        if (widths.Count != 9 || widths.Any(w => w <= 0))
        {
            throw new ArgumentException(
                $"MinkUNet needs nine positive stage widths; got [{string.Join(", ", widths)}].", nameof(widths));
        }

        return [.. widths];
    }

    public static UNet Build(int[] cs, int inChannels)
    {
        ConvBn[] stem =
        [
            new(new Conv3d(inChannels, cs[0], 3), "stem.0.", "stem.1.", relu: true),
            new(new Conv3d(cs[0], cs[0], 3), "stem.3.", "stem.4.", relu: true),
        ];
        var down = new UNetStage[4];
        for (int i = 0; i < 4; i++)
        {
            string p = $"stage{i + 1}.";
            var transition = new ConvBn(new Conv3d(cs[i], cs[i], 2, stride: 2), p + "0.net.0.", p + "0.net.1.", true);
            down[i] = new UNetStage(transition, [Residual(cs[i], cs[i + 1], p + "1."), Residual(cs[i + 1], cs[i + 1], p + "2.")]);
        }

        var up = new UNetStage[4];
        for (int i = 0; i < 4; i++)
        {
            string p = $"up{i + 1}.";
            int input = cs[4 + i];
            int output = cs[5 + i];
            int skip = cs[3 - i];
            var transition = new ConvBn(
                new Conv3d(input, output, 2, stride: 2, transposed: true), p + "0.net.0.", p + "0.net.1.", true);
            up[i] = new UNetStage(transition, [Residual(output + skip, output, p + "1.0."), Residual(output, output, p + "1.1.")]);
        }

        return new UNet(stem, down, up);
    }

    /// <summary>Widths, input channels and classes read off a MinkUNet/SPVCNN state dict's tensor shapes.</summary>
    public static (int[] Widths, int InChannels, int Classes) Infer(IReadOnlyDictionary<string, Tensor> sd, string? source)
    {
        int[] widths =
        [
            Dim(sd, "stem.0.kernel", 2, source),
            Dim(sd, "stage1.1.net.0.kernel", 2, source),
            Dim(sd, "stage2.1.net.0.kernel", 2, source),
            Dim(sd, "stage3.1.net.0.kernel", 2, source),
            Dim(sd, "stage4.1.net.0.kernel", 2, source),
            Dim(sd, "up1.0.net.0.kernel", 2, source),
            Dim(sd, "up2.0.net.0.kernel", 2, source),
            Dim(sd, "up3.0.net.0.kernel", 2, source),
            Dim(sd, "up4.0.net.0.kernel", 2, source),
        ];
        return (widths, Dim(sd, "stem.0.kernel", 1, source), Dim(sd, "classifier.0.weight", 0, source));
    }

    /// <summary>Size of dimension <paramref name="dim"/> of a key that must exist, with an error naming it.</summary>
    public static int Dim(IReadOnlyDictionary<string, Tensor> sd, string key, int dim, string? source)
    {
        string where = source is null ? "the state dict" : $"'{source}'";
        if (!sd.TryGetValue(key, out Tensor? t))
        {
            throw new ModelLoadException($"{where} has no '{key}'; it is not a checkpoint of this architecture.");
        }

        if (t.Rank <= dim)
        {
            throw new ModelLoadException(
                $"{where}: '{key}' has shape [{string.Join(", ", t.Shape)}], expected at least {dim + 1} dimensions.");
        }

        return t.Size(dim);
    }

    private static ResidualBlock Residual(int input, int output, string p) => new(
        new ConvBn(new Conv3d(input, output, 3), p + "net.0.", p + "net.1.", relu: true),
        new ConvBn(new Conv3d(output, output, 3), p + "net.3.", p + "net.4.", relu: false),
        input == output ? null : new ConvBn(new Conv3d(input, output, 1), p + "downsample.0.", p + "downsample.1.", relu: false));
}
