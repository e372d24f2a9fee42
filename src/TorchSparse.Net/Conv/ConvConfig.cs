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

    /// <summary>Implicit GEMM: output rows per tile (a task unit for threads).</summary>
    public int TileRows { get; init; } = 128;

    /// <summary>Implicit GEMM: sort rows by neighbour mask so a tile's rows share offsets.</summary>
    public bool SortByMask { get; init; }

    /// <summary>Gather-scatter: offsets whose workloads differ by at most this fraction share one batched GEMM.</summary>
    public double GroupEpsilon { get; init; } = 0.3;

    public override string ToString() => Dataflow switch
    {
        Dataflow.ImplicitGemm => $"ImplicitGemm(tile={TileRows}{(SortByMask ? ", sorted" : string.Empty)})",
        Dataflow.GatherScatter => $"GatherScatter(eps={GroupEpsilon})",
        _ => Dataflow.ToString(),
    };
}
