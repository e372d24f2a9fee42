using Pvcnn.Blocks;
using TorchSparse;
using TorchSparse.Functional;
using TorchSparse.Nn;

namespace Pvcnn;

/// <summary>
/// spvnas's SPVCNN: MinkUNet's voxel branch (same keys and shapes) plus a point branch of three Linear-BN-ReLU
/// point transforms (widths cs0 to cs4, cs4 to cs6, cs6 to cs8) joined to it by point-voxel operators.
/// </summary>
public sealed class Spvcnn : PointVoxelModel
{
    private readonly Linear classifier;

    public Spvcnn(double cr = 1.0, int inChannels = 4, int classes = 19, float pointResolution = 0.05f, float voxelResolution = 0.05f)
        : this(MinkUNetLayout.WidthsFor(cr), inChannels, classes, pointResolution, voxelResolution)
    {
    }

    public Spvcnn(IReadOnlyList<int> widths, int inChannels = 4, int classes = 19, float pointResolution = 0.05f, float voxelResolution = 0.05f)
        : base(Layout(MinkUNetLayout.Validate(widths), inChannels))
    {
        if (!(pointResolution > 0) || !(voxelResolution > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(voxelResolution), "pres and vres must be positive.");
        }

        Widths = [.. widths];
        InChannels = inChannels;
        Classes = classes;
        ResolutionRatio = pointResolution / voxelResolution;
        classifier = new Linear(Widths[8], classes);
    }

    public override string Architecture => "spvcnn";

    public override int InChannels { get; }

    public override int Classes { get; }

    public IReadOnlyList<int> Widths { get; }

    /// <summary>pres / vres, the scale initial_voxelize applies to point coordinates (1 in the published models).</summary>
    public float ResolutionRatio { get; }

    /// <summary>An SPVCNN shaped after a state dict's tensors.</summary>
    public static Spvcnn FromStateDict(IReadOnlyDictionary<string, Tensor> stateDict, string? source = null)
    {
        (int[] widths, int inChannels, int classes) = MinkUNetLayout.Infer(stateDict, source);
        return new Spvcnn(widths, inChannels, classes);
    }

    private protected override IEnumerable<NamedParameter> ClassifierParameters() => classifier.Parameters("classifier.0.");

    private protected override Linear Classifier() => classifier;

    private protected override (SparseTensor Voxels, PointTensor Points) Voxelize(SparseTensor input, ForwardProfile? profile)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        (SparseTensor voxels, PointTensor points) =
            PointVoxel.InitialVoxelize(PointVoxelWiring.PointsOf(input), ResolutionRatio);
        profile?.Add(ForwardProfile.PointOps, start);
        return (voxels, points);
    }

    private static (UNet Unet, LinearBn[] Transforms) Layout(int[] cs, int inChannels) =>
        (MinkUNetLayout.Build(cs, inChannels), [Transform(cs[0], cs[4], 0), Transform(cs[4], cs[6], 1), Transform(cs[6], cs[8], 2)]);

    private static LinearBn Transform(int input, int output, int index) =>
        new(new Linear(input, output), $"point_transforms.{index}.0.", $"point_transforms.{index}.1.");
}
