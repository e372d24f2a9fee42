using TorchSparse;
using TorchSparse.Functional;
using TorchSparse.Nn;

namespace Perception.Cli.Commands;

/// <summary>One executed stage of the demo network: what it did and how long it took.</summary>
internal readonly record struct StageReport(string Name, int RowsIn, int RowsOut, long Pairs, double Milliseconds, double Gflops);

/// <summary>
/// A small MinkUNet-shaped encoder-decoder (seeded random weights) that exercises every conv kind on a real-sized
/// scan: submanifold, strided downsampling, inverse (transposed) upsampling with skip concatenation, BatchNorm folded
/// into convs, and a pointwise classifier.
/// </summary>
internal sealed class DemoNetwork
{
    private readonly Conv3d stem;
    private readonly Conv3d down1;
    private readonly Conv3d block1;
    private readonly Conv3d down2;
    private readonly Conv3d block2;
    private readonly Conv3d up1;
    private readonly Conv3d fuse1;
    private readonly Conv3d up2;
    private readonly Conv3d fuse2;
    private readonly Conv3d classifier;

    public DemoNetwork(int inChannels, int classes, int seed)
    {
        stem = Folded(new Conv3d(inChannels, 32, 3, seed: seed), 32);
        down1 = Folded(new Conv3d(32, 32, 2, stride: 2, seed: seed + 1), 32);
        block1 = Folded(new Conv3d(32, 64, 3, seed: seed + 2), 64);
        down2 = Folded(new Conv3d(64, 64, 2, stride: 2, seed: seed + 3), 64);
        block2 = Folded(new Conv3d(64, 128, 3, seed: seed + 4), 128);
        up1 = Folded(new Conv3d(128, 64, 2, stride: 2, transposed: true, seed: seed + 5), 64);
        fuse1 = Folded(new Conv3d(128, 64, 3, seed: seed + 6), 64);
        up2 = Folded(new Conv3d(64, 32, 2, stride: 2, transposed: true, seed: seed + 7), 32);
        fuse2 = Folded(new Conv3d(64, 32, 3, seed: seed + 8), 32);
        classifier = new Conv3d(32, classes, 1, bias: true, seed: seed + 9);
    }

    public IReadOnlyList<Conv3d> Layers => [stem, down1, block1, down2, block2, up1, fuse1, up2, fuse2, classifier];

    public SparseTensor Forward(SparseTensor input, List<StageReport>? report = null)
    {
        SparseTensor x0 = Stage("stem 3x3x3", stem, input, report);
        SparseTensor x1 = Stage("down 2x2x2 /2", down1, x0, report);
        x1 = Stage("block 3x3x3", block1, x1, report);
        SparseTensor x2 = Stage("down 2x2x2 /4", down2, x1, report);
        x2 = Stage("block 3x3x3", block2, x2, report);
        SparseTensor y1 = Stage("up 2x2x2 /2", up1, x2, report);
        y1 = Stage("fuse 3x3x3 (+skip)", fuse1, SparseOps.Cat(y1, x1), report);
        SparseTensor y2 = Stage("up 2x2x2 /1", up2, y1, report);
        y2 = Stage("fuse 3x3x3 (+skip)", fuse2, SparseOps.Cat(y2, x0), report);
        return Stage("classifier 1x1x1", classifier, y2, report, relu: false);
    }

    private static SparseTensor Stage(string name, Conv3d layer, SparseTensor x, List<StageReport>? report, bool relu = true)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        SparseTensor y = layer.Forward(x);
        if (relu)
        {
            y = SparseOps.Relu(y);
        }

        double ms = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        long pairs = layer.Geometry.IsPointwise
            ? x.Count
            : TorchSparse.Conv.SparseConv.KernelMapFor(x, layer.Geometry).PairCount;
        double gflops = 2.0 * pairs * layer.InChannels * layer.OutChannels / (ms * 1e6);
        report?.Add(new StageReport(name, x.Count, y.Count, pairs, ms, gflops));
        return y;
    }

    /// <summary>A conv followed by a BatchNorm with seeded statistics, folded into one conv for inference.</summary>
    private static Conv3d Folded(Conv3d conv, int channels)
    {
        var bn = new BatchNorm(channels);
        var random = new Random(conv.InChannels * 131 + channels);
        for (int c = 0; c < channels; c++)
        {
            bn.Weight.AsSpan<float>()[c] = 0.5f + (float)random.NextDouble();
            bn.Bias.AsSpan<float>()[c] = (float)random.NextDouble() * 0.1f;
            bn.RunningMean.AsSpan<float>()[c] = ((float)random.NextDouble() - 0.5f) * 0.1f;
            bn.RunningVar.AsSpan<float>()[c] = 0.5f + (float)random.NextDouble();
        }

        return bn.FoldInto(conv);
    }
}
