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
public sealed class Spvnas : SegmentationModel
{
    private readonly UNet unet;
    private readonly LinearBn[] transforms;
    private readonly Linear storedClassifier;
    private Linear? classifier;

    private Spvnas(UNet unet, LinearBn[] transforms, Linear storedClassifier, int inChannels)
    {
        this.unet = unet;
        this.transforms = transforms;
        this.storedClassifier = storedClassifier;
        InChannels = inChannels;
        Classes = storedClassifier.OutFeatures;
    }

    public override string Architecture => "spvnas";

    public override int InChannels { get; }

    public override int Classes { get; }

    /// <summary>Output widths of the stem, the four encoder and the four decoder stages.</summary>
    public IReadOnlyList<int> StageWidths =>
        [unet.StemChannels, .. unet.Down.Select(s => s.OutChannels), .. unet.Up.Select(s => s.OutChannels)];

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

    public override IEnumerable<NamedParameter> Parameters() =>
        unet.Parameters()
            .Concat(transforms.SelectMany(t => t.Parameters()))
            .Concat(storedClassifier.Parameters("classifier.linear."));

    private protected override IReadOnlyList<Conv3d> RuntimeConvs() => unet.ConvLayers();

    private protected override void Prepare()
    {
        unet.Prepare();
        foreach (LinearBn t in transforms)
        {
            t.Prepare();
        }

        classifier = storedClassifier.SliceInputs(unet.Up[3].OutChannels);
    }

    private protected override Tensor Run(SparseTensor input, ForwardProfile? profile)
    {
        // spvnas voxelizes its input with point_to_voxel (not initial_voxelize): the points are the input voxels.
        PointTensor points = PointVoxelWiring.PointsOf(input);
        SparseTensor voxels = PointVoxel.PointToVoxel(input, points);
        return PointVoxelWiring.Run(unet, transforms, classifier!, voxels, points, profile);
    }
}
