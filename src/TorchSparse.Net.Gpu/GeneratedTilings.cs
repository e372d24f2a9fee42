using TorchSparse.Conv;

namespace TorchSparse.Gpu;

/// <summary>
/// Default work-group tilings of the generated GEMM-like kernels by channel counts (TorchSparse++ picks its
/// settings the same way: wider tiles once the output channels fill them), and the candidates the tuner searches.
/// </summary>
public static class GeneratedTilings
{
    /// <summary>Wide layers: 128 rows x 64 channels, 256 threads of 8 x 4 accumulators.</summary>
    public static KernelTiling Wide { get; } = new(128, 64, 16, 16, 16, 4);

    /// <summary>Medium layers: 64 rows x 32 channels, 128 threads of 4 x 4 accumulators.</summary>
    public static KernelTiling Medium { get; } = new(64, 32, 8, 16, 8, 4);

    /// <summary>Narrow outputs (fewer than 16 channels): 64 rows x 16 channels, 64 threads of 4 x 4.</summary>
    public static KernelTiling Narrow { get; } = new(64, 16, 8, 16, 4, 1);

    public static KernelTiling For(int inputChannels, int outputChannels) =>
        outputChannels >= 64 && inputChannels >= 32 ? Wide : outputChannels >= 16 ? Medium : Narrow;

    /// <summary>
    /// What the tuner tries on a generated-kernel backend for one layer group: implicit GEMM unsorted at three
    /// tilings, sorted with 1 to 3 mask splits, fetch-on-demand and gather-scatter.
    /// </summary>
    public static IReadOnlyList<ConvConfig> TuningCandidates { get; } =
    [
        new ConvConfig { Dataflow = Dataflow.ImplicitGemm, Tiling = Narrow },
        new ConvConfig { Dataflow = Dataflow.ImplicitGemm, Tiling = Medium },
        new ConvConfig { Dataflow = Dataflow.ImplicitGemm, Tiling = Wide },
        new ConvConfig { Dataflow = Dataflow.ImplicitGemm, SortByMask = true, MaskSplits = 1, Tiling = Medium },
        new ConvConfig { Dataflow = Dataflow.ImplicitGemm, SortByMask = true, MaskSplits = 2, Tiling = Medium },
        new ConvConfig { Dataflow = Dataflow.ImplicitGemm, SortByMask = true, MaskSplits = 3, Tiling = Medium },
        new ConvConfig { Dataflow = Dataflow.FetchOnDemand, Tiling = Medium },
        new ConvConfig { Dataflow = Dataflow.GatherScatter, GroupEpsilon = 0.3, Tiling = Medium },
    ];
}
