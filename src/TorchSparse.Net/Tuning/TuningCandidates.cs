using TorchSparse.Conv;

namespace TorchSparse.Tuning;

/// <summary>The configurations the CPU tuner tries for one group of layers.</summary>
public static class TuningCandidates
{
    public static IReadOnlyList<ConvConfig> Cpu { get; } =
    [
        new ConvConfig { Dataflow = Dataflow.ImplicitGemm, TileRows = 128 },
        new ConvConfig { Dataflow = Dataflow.ImplicitGemm, TileRows = 256 },
        new ConvConfig { Dataflow = Dataflow.ImplicitGemm, TileRows = 512 },
        new ConvConfig { Dataflow = Dataflow.ImplicitGemm, TileRows = 1024 },
        new ConvConfig { Dataflow = Dataflow.ImplicitGemm, TileRows = 128, SortByMask = true },
        new ConvConfig { Dataflow = Dataflow.FetchOnDemand },
        new ConvConfig { Dataflow = Dataflow.GatherScatter, GroupEpsilon = 0.0 },
        new ConvConfig { Dataflow = Dataflow.GatherScatter, GroupEpsilon = 0.3 },
        new ConvConfig { Dataflow = Dataflow.GatherScatter, GroupEpsilon = 0.6 },
    ];
}
