using Pvcnn.Blocks;
using TorchSparse;
using TorchSparse.Functional;
using TorchSparse.Nn;

namespace Pvcnn;

/// <summary>
/// A specialised SPVNAS subnet (spvnas core/models/semantic_kitti/spvnas.py after determinize()): SPVCNN's wiring
/// with searched depths and widths. Every width is read off the checkpoint's tensor shapes and every depth off
/// which keys exist; the classifier is stored at the supernet's width and sliced to the subnet's.
/// </summary>
public sealed class Spvnas : PointVoxelModel
{
    private readonly Linear storedClassifier;
    private Linear? classifier;

    private Spvnas(UNet unet, LinearBn[] transforms, Linear storedClassifier, int inChannels)
        : base((unet, transforms))
    {
        this.storedClassifier = storedClassifier;
        InChannels = inChannels;
        Classes = storedClassifier.OutFeatures;
    }

    public override string Architecture => "spvnas";

    public override int InChannels { get; }

    public override int Classes { get; }

    /// <summary>Output widths of the stem, the four encoder and the four decoder stages.</summary>
    public IReadOnlyList<int> StageWidths =>
        [Unet.StemChannels, .. Unet.Down.Select(s => s.OutChannels), .. Unet.Up.Select(s => s.OutChannels)];

    /// <summary>Residual blocks per stage (encoder then decoder).</summary>
    public IReadOnlyList<int> Depths { get; private init; } = [];

    /// <summary>The subnet a determinised state dict describes.</summary>
    /// <exception cref="ModelLoadException">A key the layout needs is missing or its shape does not chain.</exception>
    public static Spvnas FromStateDict(IReadOnlyDictionary<string, Tensor> sd, string? source = null)
    {
        var shapes = new ShapeReader(sd, source);
        ConvBn[] stem =
        [
            shapes.ConvBn("stem.0.", "stem.1.", 3, relu: true, out int inChannels, out int c0),
            shapes.ConvBn("stem.3.", "stem.4.", 3, relu: true, out int stemMiddle, out c0),
        ];
        shapes.RequireChain("stem.3.kernel", stemMiddle, stem[0].OutChannels);
        var depths = new List<int>();
        var down = new UNetStage[4];
        int channels = c0;
        var skips = new List<int> { c0 };
        for (int i = 0; i < 4; i++)
        {
            string p = $"downsample.{i}.";
            ConvBn transition = shapes.ConvBn(p + "transition.net.conv.", p + "transition.net.bn.", 2, relu: true, out int tin, out channels);
            shapes.RequireChain(p + "transition.net.conv.kernel", tin, skips[^1]);
            List<ResidualBlock> blocks = shapes.Blocks(p + "feature.", ref channels);
            depths.Add(blocks.Count);
            down[i] = new UNetStage(transition, blocks);
            skips.Add(channels);
        }

        var up = new UNetStage[4];
        for (int i = 0; i < 4; i++)
        {
            string p = $"upsample.{i}.";
            ConvBn transition = shapes.ConvBn(
                p + "transition.net.conv.", p + "transition.net.bn.", 2, relu: true, out int tin, out int tout, transposed: true);
            shapes.RequireChain(p + "transition.net.conv.kernel", tin, channels);
            channels = tout + skips[3 - i];
            List<ResidualBlock> blocks = shapes.Blocks(p + "feature.", ref channels);
            depths.Add(blocks.Count);
            up[i] = new UNetStage(transition, blocks);
        }

        int[] stageWidths = [c0, .. down.Select(s => s.OutChannels), .. up.Select(s => s.OutChannels)];
        LinearBn[] transforms = new LinearBn[3];
        int[] from = [stageWidths[0], stageWidths[4], stageWidths[6]];
        int[] to = [stageWidths[4], stageWidths[6], stageWidths[8]];
        for (int k = 0; k < 3; k++)
        {
            transforms[k] = shapes.LinearBn($"point_transforms.{k}.net.conv.", $"point_transforms.{k}.net.bn.", from[k], to[k]);
        }

        int classes = MinkUNetLayout.Dim(sd, "classifier.linear.weight", 0, source);
        int storedWidth = MinkUNetLayout.Dim(sd, "classifier.linear.weight", 1, source);
        if (storedWidth < stageWidths[8])
        {
            throw new ModelLoadException(
                $"'{source}': classifier.linear.weight has {storedWidth} input columns, fewer than the last stage's {stageWidths[8]}.");
        }

        return new Spvnas(new UNet(stem, down, up), transforms, new Linear(storedWidth, classes), inChannels)
        {
            Depths = depths,
        };
    }

    private protected override IEnumerable<NamedParameter> ClassifierParameters() =>
        storedClassifier.Parameters("classifier.linear.");

    /// <summary>In training a fresh slice each forward, so the tape carries the gradient back to the stored
    /// weight; in inference the slice made when preparing.</summary>
    private protected override Linear Classifier() =>
        Training ? SlicedClassifier() : classifier ?? throw new InvalidOperationException("Spvnas was not prepared.");

    private protected override void Prepare()
    {
        classifier = SlicedClassifier();
        base.Prepare();
    }

    private protected override (SparseTensor Voxels, PointTensor Points) Voxelize(SparseTensor input, ForwardProfile? profile)
    {
        // spvnas voxelizes its input with point_to_voxel (not initial_voxelize): the points are the input voxels.
        PointTensor points = PointVoxelWiring.PointsOf(input);
        return (PointVoxel.PointToVoxel(input, points), points);
    }

    private Linear SlicedClassifier() => storedClassifier.SliceInputs(Unet.Up[3].OutChannels);
}
