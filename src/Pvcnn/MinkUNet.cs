using System.Diagnostics;
using Pvcnn.Blocks;
using TorchSparse;
using TorchSparse.Nn;

namespace Pvcnn;

/// <summary>
/// spvnas's MinkUNet: stem, four residual downsampling stages, four upsampling stages with skips, and a linear
/// classifier on voxel features; channel widths int(cr * [32, 32, 64, 128, 256, 256, 128, 96, 96]).
/// </summary>
public sealed class MinkUNet : SegmentationModel
{
    private readonly UNet unet;
    private readonly Linear classifier;
    private Linear? head;

    public MinkUNet(double cr = 1.0, int inChannels = 4, int classes = 19)
        : this(MinkUNetLayout.WidthsFor(cr), inChannels, classes)
    {
    }

    /// <summary>A MinkUNet with explicit widths (nine entries: stem, four encoder and four decoder stages).</summary>
    public MinkUNet(IReadOnlyList<int> widths, int inChannels = 4, int classes = 19)
    {
        Widths = MinkUNetLayout.Validate(widths);
        InChannels = inChannels;
        Classes = classes;
        unet = MinkUNetLayout.Build([.. Widths], inChannels);
        classifier = new Linear(Widths[8], classes);
    }

    public override string Architecture => "minkunet";

    public override int InChannels { get; }

    public override int Classes { get; }

    /// <summary>The nine stage widths.</summary>
    public IReadOnlyList<int> Widths { get; }

    /// <summary>MinkUNet builds point_transforms but never calls them; official checkpoints carry their weights.</summary>
    protected override IReadOnlyList<string> UnusedKeyPrefixes => ["point_transforms."];

    /// <summary>A MinkUNet shaped after a state dict's tensors (widths, input channels, classes).</summary>
    public static MinkUNet FromStateDict(IReadOnlyDictionary<string, Tensor> stateDict, string? source = null)
    {
        (int[] widths, int inChannels, int classes) = MinkUNetLayout.Infer(stateDict, source);
        return new MinkUNet(widths, inChannels, classes);
    }

    public override IEnumerable<NamedParameter> Parameters() =>
        unet.Parameters().Concat(classifier.Parameters("classifier.0."));

    private protected override void SetTraining(bool training) => unet.SetTraining(training);

    private protected override IReadOnlyList<Conv3d> RuntimeConvs() => unet.ConvLayers();

    private protected override void Prepare()
    {
        unet.Prepare(Device);
        head = RuntimeCopy(classifier);
    }

    private protected override Tensor Run(SparseTensor input, ForwardProfile? profile)
    {
        SparseTensor x0 = unet.Stem(input, profile);
        SparseTensor x1 = unet.Down[0].Forward(x0, profile);
        SparseTensor x2 = unet.Down[1].Forward(x1, profile);
        SparseTensor x3 = unet.Down[2].Forward(x2, profile);
        SparseTensor x4 = unet.Down[3].Forward(x3, profile);
        SparseTensor y1 = unet.Up[0].Forward(x4, profile, x3);
        UNet.Recycle(x4, x3);
        SparseTensor y2 = unet.Up[1].Forward(y1, profile, x2);
        UNet.Recycle(y1, x2);
        SparseTensor y3 = unet.Up[2].Forward(y2, profile, x1);
        UNet.Recycle(y2, x1);
        SparseTensor y4 = unet.Up[3].Forward(y3, profile, x0);
        UNet.Recycle(y3, x0);
        long start = Stopwatch.GetTimestamp();
        profile?.AddMacs((long)y4.Count * classifier.InFeatures * Classes);
        Tensor logits = (Training ? classifier : head!).Forward(y4.Feats);
        profile?.Add(ForwardProfile.Head, start);
        UNet.Recycle(y4);
        return logits;
    }
}
