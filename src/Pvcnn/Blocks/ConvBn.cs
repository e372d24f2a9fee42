using System.Diagnostics;
using TorchSparse;
using TorchSparse.Conv;
using TorchSparse.Nn;

namespace Pvcnn.Blocks;

/// <summary>
/// Conv3d then BatchNorm, optionally then ReLU: the unit every torchsparse model is built from. Loaded under its
/// checkpoint keys, it runs as one convolution with the normalisation folded in and the ReLU fused; in training it
/// runs the conv, then the BatchNorm on batch statistics with the ReLU fused into it (recorded on an active gradient
/// tape).
/// </summary>
internal sealed class ConvBn(Conv3d conv, string convPrefix, string normPrefix, bool relu)
{
    private readonly BatchNorm norm = new(conv.OutChannels) { FuseRelu = relu };
    private Conv3d? folded;

    public Conv3d Conv { get; } = conv;

    public int InChannels => Conv.InChannels;

    public int OutChannels => Conv.OutChannels;

    /// <summary>Batch statistics and no folding; set through the model.</summary>
    public bool Training
    {
        get => norm.Training;
        set => norm.Training = value;
    }

    public IEnumerable<NamedParameter> Parameters() =>
        Conv.Parameters(convPrefix).Concat(norm.Parameters(normPrefix));

    /// <summary>The convolution that runs (normalisation folded in); exists after <see cref="Prepare"/>.</summary>
    public Conv3d Runtime => folded ?? throw new InvalidOperationException("ConvBn.Prepare was not called after loading.");

    /// <summary>Folds the loaded normalisation into the convolution, on the device the model runs on; call after
    /// loading.</summary>
    public void Prepare(Device device)
    {
        folded = norm.FoldInto(Conv);
        folded.FuseRelu = relu;
        if (device.Kind != DeviceKind.Cpu)
        {
            folded = folded.CopyTo(device);
        }
    }

    public SparseTensor Forward(SparseTensor x, ForwardProfile? profile)
    {
        if (Training)
        {
            return norm.Forward(Conv.Forward(x));
        }

        Conv3d layer = folded ?? throw new InvalidOperationException("ConvBn.Prepare was not called after loading.");
        if (profile is null)
        {
            return layer.Forward(x);
        }

        // Build (or fetch) the kernel map separately so the profile can tell map building from arithmetic.
        long start = Stopwatch.GetTimestamp();
        long pairs = layer.Geometry.IsPointwise ? x.Count : SparseConv.KernelMapFor(x, layer.Geometry).PairCount;
        profile.Add(ForwardProfile.KernelMaps, start);
        profile.AddMacs(pairs * layer.InChannels * layer.OutChannels);
        start = Stopwatch.GetTimestamp();
        SparseTensor y = layer.Forward(x);
        profile.Add(ForwardProfile.Convs, start);
        return y;
    }
}
