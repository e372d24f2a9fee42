using Pvcnn.Blocks;
using TorchSparse;
using TorchSparse.Functional;
using TorchSparse.Nn;

namespace Pvcnn;

/// <summary>
/// SPVCNN and SPVNAS: the voxel U-Net plus a point branch of three Linear-BN-ReLU transforms, joined by point-voxel
/// operators. In training the transforms run unfused on batch statistics and the voxelized point features entering
/// each decoder half go through dropout (spvnas: nn.Dropout(0.3)), with masks from a seeded generator.
/// </summary>
public abstract class PointVoxelModel : SegmentationModel
{
    private readonly LinearBn[] transforms;
    private Linear? runtimeClassifier;

    // Seeded so that a training run is reproducible (the same seed gives the same run) without further setup.
    private Random dropoutRandom = new(0);

    private protected PointVoxelModel((UNet Unet, LinearBn[] Transforms) layout)
    {
        Unet = layout.Unet;
        transforms = layout.Transforms;
    }

    /// <summary>
    /// Probability that dropout zeroes a voxel feature in training (spvnas: 0.3; 0 turns dropout off). Inference never
    /// drops.
    /// </summary>
    public double DropoutProbability
    {
        get;
        set => field = value is >= 0 and < 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "the dropout probability must lie in [0, 1).");
    } = 0.3;

    private protected UNet Unet { get; }

    /// <summary>
    /// Restarts the dropout masks' generator: the training forwards after two equal seeds draw equal masks (to repeat
    /// a step exactly, e.g. for a finite-difference check of its gradient, seed before each forward).
    /// </summary>
    public void SeedDropout(int seed) => dropoutRandom = new Random(seed);

    public override IEnumerable<NamedParameter> Parameters() =>
        Unet.Parameters().Concat(transforms.SelectMany(t => t.Parameters())).Concat(ClassifierParameters());

    private protected abstract IEnumerable<NamedParameter> ClassifierParameters();

    /// <summary>The classifier that runs on the final point features in the current mode.</summary>
    private protected abstract Linear Classifier();

    /// <summary>The input as voxels at stride 1 and as the points the point branch carries.</summary>
    private protected abstract (SparseTensor Voxels, PointTensor Points) Voxelize(SparseTensor input, ForwardProfile? profile);

    private protected override IReadOnlyList<Conv3d> RuntimeConvs() => Unet.ConvLayers();

    private protected override void SetTraining(bool training)
    {
        Unet.SetTraining(training);
        foreach (LinearBn t in transforms)
        {
            t.Training = training;
        }
    }

    private protected override void Prepare()
    {
        Unet.Prepare(Device);
        foreach (LinearBn t in transforms)
        {
            t.Prepare(Device);
        }

        runtimeClassifier = RuntimeCopy(Classifier());
    }

    private protected override Tensor Run(SparseTensor input, ForwardProfile? profile)
    {
        (SparseTensor voxels, PointTensor points) = Voxelize(input, profile);
        Func<Tensor, Tensor>? dropout = Training && DropoutProbability > 0
            ? f => FeatureOps.Dropout(f, DropoutProbability, dropoutRandom)
            : null;
        Linear classifier = Training ? Classifier()
            : runtimeClassifier ?? throw new InvalidOperationException($"{Architecture} was not prepared.");
        return PointVoxelWiring.Run(Unet, transforms, classifier, voxels, points, dropout, profile);
    }
}
