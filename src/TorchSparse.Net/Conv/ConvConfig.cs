namespace TorchSparse.Conv;

/// <summary>How a sparse convolution moves data. All three give the same result up to float rounding.</summary>
public enum Dataflow
{
    /// <summary>Output-stationary: each output tile gathers its neighbours per offset and accumulates in place;
    /// no scatter, no atomics, nothing materialised beyond one tile.</summary>
    ImplicitGemm,

    /// <summary>Per offset group: gather input rows, one dense GEMM, scatter-add into the outputs.</summary>
    GatherScatter,

    /// <summary>Per offset: the GEMM reads input rows and updates output rows through the pair list directly.</summary>
    FetchOnDemand,
}

/// <summary>Per-layer execution choices. Immutable; the autotuner produces these, layers carry them.</summary>
public sealed record ConvConfig
{
    public static ConvConfig Default { get; } = new();

    public Dataflow Dataflow { get; init; } = Dataflow.ImplicitGemm;

    /// <summary>Implicit GEMM: output rows per tile. Each tile makes one micro-kernel call per offset, so larger tiles
    /// spread the per-call cost over more rows; 512 rows of 128 channels still fit L2. 512 and 1024 measured fastest
    /// for 4 to 128 channels on the standard scan (bench/RESULTS.md).</summary>
    public int TileRows { get; init; } = 512;

    /// <summary>Implicit GEMM: sort rows by neighbour mask so a tile's rows share offsets.</summary>
    public bool SortByMask { get; init; }

    /// <summary>Gather-scatter: offsets whose workloads differ by at most this fraction share one batched GEMM.</summary>
    public double GroupEpsilon { get; init; } = 0.3;

    /// <summary>
    /// Sorted implicit GEMM on the generated-kernel backends: the offsets are split into this many groups, each with
    /// its own row order and per-tile masks, and the partial outputs are summed (TorchSparse's split_mask_num). The
    /// backend raises it to at least K / 32 so one 32-bit mask covers a split. The CPU backend does not split.
    /// </summary>
    public int MaskSplits { get; init; } = 1;

    /// <summary>Generated-kernel backends: the work-group tiling; null lets the backend pick by channel counts.</summary>
    public KernelTiling? Tiling { get; init; }

    public override string ToString()
    {
        string tiling = Tiling is null ? string.Empty : $", {Tiling}";
        return Dataflow switch
        {
            Dataflow.ImplicitGemm when Tiling is not null =>
                $"ImplicitGemm({(SortByMask ? $"sorted, splits={MaskSplits}" : "unsorted")}{tiling})",
            Dataflow.ImplicitGemm => $"ImplicitGemm(tile={TileRows}{(SortByMask ? ", sorted" : string.Empty)})",
            Dataflow.GatherScatter => $"GatherScatter(eps={GroupEpsilon}{tiling})",
            _ when Tiling is not null => $"{Dataflow}({Tiling})",
            _ => Dataflow.ToString(),
        };
    }
}

/// <summary>
/// How a generated GEMM-like kernel tiles its work: a work-group computes <see cref="TileM"/> rows by
/// <see cref="TileN"/> output channels, stepping through the reduction <see cref="TileK"/> channels at a time through
/// local memory; its <see cref="ThreadsM"/> x <see cref="ThreadsN"/> threads each hold a
/// (TileM / ThreadsM) x (TileN / ThreadsN) block of accumulators. <see cref="VectorWidth"/> elements are loaded per
/// global read when the channel counts allow it.
/// </summary>
public sealed record KernelTiling(int TileM, int TileN, int TileK, int ThreadsM, int ThreadsN, int VectorWidth = 1)
{
    public override string ToString() => $"m{TileM}n{TileN}k{TileK} t{ThreadsM}x{ThreadsN} v{VectorWidth}";
}
