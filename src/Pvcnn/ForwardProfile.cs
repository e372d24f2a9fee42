using System.Diagnostics;

namespace Pvcnn;

/// <summary>
/// Where a forward pass spent its time (per stage: voxelize, kernel maps, convs, point ops, head) and how many
/// multiply-accumulates it did. Pass one to <see cref="SegmentationModel.Forward"/> to fill it; leave it null to run
/// without the extra kernel-map timing step.
/// </summary>
public sealed class ForwardProfile
{
    public const string Voxelize = "voxelize";
    public const string KernelMaps = "kernel maps";
    public const string Convs = "convs";
    public const string PointOps = "point ops";
    public const string Head = "head";

    private readonly Dictionary<string, double> milliseconds = new(StringComparer.Ordinal);

    /// <summary>Milliseconds per stage, in the order stages first ran.</summary>
    public IReadOnlyDictionary<string, double> Milliseconds => milliseconds;

    /// <summary>Multiply-accumulates of convolutions and linear layers (pairs x Cin x Cout; rows x in x out).</summary>
    public long Macs { get; private set; }

    public double TotalMilliseconds => milliseconds.Values.Sum();

    internal void AddMacs(long macs) => Macs += macs;

    internal void Add(string stage, long startTimestamp) =>
        milliseconds[stage] = milliseconds.GetValueOrDefault(stage) + Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
}
