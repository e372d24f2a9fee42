using TorchSparse.Conv;

namespace TorchSparse.Gpu.Generator;

/// <summary>The kernel families the generator renders.</summary>
public enum KernelFamily
{
    /// <summary>Output-stationary conv: a work-group owns a tile of output rows and gathers neighbours per offset
    /// through the out-in map; unsorted, or sorted by neighbour mask with split masks.</summary>
    ImplicitGemm,

    /// <summary>Dense GEMM with optional row indirection on A, B and C (gather, fetch-on-demand, weight gradient),
    /// transposed operands, a batch over segments, and accumulation into C.</summary>
    IndexedGemm,

    /// <summary>Rows by index: out[p] = in[index[p]] (zero for a negative index).</summary>
    Gather,

    /// <summary>Rows by index: out[index[p]] += in[p]; indices must be distinct within one launch.</summary>
    ScatterAdd,

    /// <summary>Sums the per-split partial outputs of the sorted implicit GEMM in split order.</summary>
    SplitSum,

    /// <summary>Element-wise: ReLU / leaky ReLU, their gradient, add (+ ReLU).</summary>
    Elementwise,

    /// <summary>Rows [N, C]: x * scale[c] + shift[c], then the activation: inference BatchNorm, bias, or both, fused.</summary>
    BatchNormActivation,

    /// <summary>Column sums of [N, C] in row order (a bias gradient).</summary>
    ColumnSums,

    /// <summary>Batched matrix transpose [B, R, C] to [B, C, R], optionally reversing the batch order.</summary>
    Transpose,

    /// <summary>Open-addressing hash table of exact packed coordinate keys: insert.</summary>
    HashBuild,

    /// <summary>Query of the table above: the row of each coordinate, or -1.</summary>
    HashQuery,

    /// <summary>Submanifold kernel map: each (row, offset) queries its neighbour's key in the table.</summary>
    SubmanifoldMap,

    /// <summary>Points to voxels: the row of the voxel floor(p / stride) holding each float point, or -1.</summary>
    PointQuery,

    /// <summary>Point-to-voxel mean: each voxel averages its points' features, summed in point order from a CSR of
    /// the <see cref="PointQuery"/> rows; a voxel with no point gets zeros.</summary>
    Voxelize,

    /// <summary>Voxel-to-point trilinear interpolation (TorchSparse devoxelize): the 8 voxels around each point,
    /// weighted by their offsets and renormalised over the corners present.</summary>
    Devoxelize,

    /// <summary>Per-axis minimum and maximum of coordinates (and the smallest batch index), by atomics.</summary>
    CoordinateBounds,

    /// <summary>The output cell each row (floor rules) or each (row, offset) pair proposes, as a packed key.</summary>
    StridedKeys,

    /// <summary>One step of a bitonic sort of 64-bit keys.</summary>
    BitonicSortStep,

    /// <summary>1 where a sorted key is the first of its value, else 0: the input of the rank scan.</summary>
    UniqueFlags,

    /// <summary>Inclusive scan of ints within each work-group, with the group totals.</summary>
    ScanBlocks,

    /// <summary>Adds the scanned group totals: completes a multi-group scan.</summary>
    AddBlockSums,

    /// <summary>Unpacks each first-of-its-value key to the output coordinate of its rank.</summary>
    CompactKeys,

    /// <summary>Strided or generative kernel map: each (row, offset) pair's output found in the table of outputs.</summary>
    StridedMap,

    /// <summary>Replaces the map's unreached entries (INT_MAX, for the atomic minimum) by -1.</summary>
    MapFinish,
}

/// <summary>Element types a kernel stores; the accumulator is always float32 for floating kernels.</summary>
public enum ScalarType
{
    Float32,
    Float16,
}

/// <summary>Element-wise operations of <see cref="KernelFamily.Elementwise"/>.</summary>
public enum ElementwiseOp
{
    Relu,
    LeakyRelu,
    ActivationGrad,
    Add,
    AddRelu,
}

/// <summary>
/// Everything that shapes one generated kernel. Two equal specs render the same source, and <see cref="Name"/> is
/// unique per spec, so compiled programs can be cached by it. Fields a family does not use keep their defaults.
/// </summary>
public sealed record KernelSpec
{
    public required KernelFamily Family { get; init; }

    /// <summary>The element type of the feature and weight buffers (float16 is loaded into float32 registers).</summary>
    public ScalarType Element { get; init; } = ScalarType.Float32;

    /// <summary>Work-group tiling of the GEMM-like families.</summary>
    public KernelTiling Tiling { get; init; } = new(64, 32, 8, 16, 8);

    /// <summary>Implicit GEMM: rows sorted by neighbour mask, with per-tile masks that skip absent offsets.</summary>
    public bool SortedMasks { get; init; }

    /// <summary>Implicit GEMM, sorted: the number of offset groups, each with its own 32-bit mask.</summary>
    public int MaskSplits { get; init; } = 1;

    /// <summary>Largest power of two (up to 64) dividing the reduction channel count: a multiple of
    /// <see cref="KernelTiling.TileK"/> drops the bound checks on K, of the vector width allows vector loads.</summary>
    public int InputChannelDivisor { get; init; } = 1;

    /// <summary>As <see cref="InputChannelDivisor"/>, for the output channel count and <see cref="KernelTiling.TileN"/>.</summary>
    public int OutputChannelDivisor { get; init; } = 1;

    /// <summary>Conv families: apply out * scale[c] + shift[c] before storing (a fused bias or BatchNorm).</summary>
    public bool AffineEpilogue { get; init; }

    /// <summary>Conv families and <see cref="KernelFamily.BatchNormActivation"/>: ReLU after the epilogue.</summary>
    public bool ReluEpilogue { get; init; }

    /// <summary>Indexed GEMM: A is read transposed ([K, M] in memory).</summary>
    public bool TransposeA { get; init; }

    /// <summary>Indexed GEMM: B is read transposed ([N, K] in memory).</summary>
    public bool TransposeB { get; init; }

    /// <summary>Indexed GEMM: the M rows of A (or its K rows when transposed) go through an index list.</summary>
    public bool IndexedA { get; init; }

    /// <summary>Indexed GEMM: the K rows of B go through an index list.</summary>
    public bool IndexedB { get; init; }

    /// <summary>Indexed GEMM: the M rows of C go through an index list.</summary>
    public bool IndexedC { get; init; }

    /// <summary>Indexed GEMM: C += A * B instead of C = A * B.</summary>
    public bool Accumulate { get; init; }

    public ElementwiseOp Elementwise { get; init; }

    /// <summary>The kernel's entry-point name: the family and every field that changes the source.</summary>
    public string Name => Family switch
    {
        KernelFamily.ImplicitGemm => $"implicit_gemm_{Type}_{TileName}_{(SortedMasks ? $"sorted{MaskSplits}" : "unsorted")}"
            + $"_d{InputChannelDivisor}x{OutputChannelDivisor}{EpilogueName}",
        KernelFamily.IndexedGemm => $"indexed_gemm_{Type}_{TileName}_{Flag(TransposeA, "ta")}{Flag(TransposeB, "tb")}"
            + $"{Flag(IndexedA, "ia")}{Flag(IndexedB, "ib")}{Flag(IndexedC, "ic")}{Flag(Accumulate, "acc")}"
            + $"d{InputChannelDivisor}x{OutputChannelDivisor}{EpilogueName}",
        KernelFamily.Elementwise => $"elementwise_{Elementwise.ToString().ToLowerInvariant()}",
        KernelFamily.BatchNormActivation => $"batch_norm{(ReluEpilogue ? "_relu" : string.Empty)}",
        KernelFamily.Gather or KernelFamily.ScatterAdd or KernelFamily.SplitSum or KernelFamily.Transpose =>
            $"{Snake(Family)}_{Type}",
        _ => Snake(Family),
    };

    private string Type => Element == ScalarType.Float16 ? "f16" : "f32";

    private string TileName =>
        $"m{Tiling.TileM}n{Tiling.TileN}k{Tiling.TileK}_t{Tiling.ThreadsM}x{Tiling.ThreadsN}_v{Tiling.VectorWidth}";

    private string EpilogueName => (AffineEpilogue ? "_affine" : string.Empty) + (ReluEpilogue ? "_relu" : string.Empty);

    /// <summary>The largest power of two up to 64 that divides <paramref name="channels"/> (1 for odd counts).</summary>
    public static int DivisorOf(int channels)
    {
        int divisor = 1;
        while (divisor < 64 && channels > 0 && channels % (divisor * 2) == 0)
        {
            divisor *= 2;
        }

        return divisor;
    }

    /// <summary>Rejects tilings the templates cannot run, naming the field.</summary>
    public void Validate()
    {
        KernelTiling t = Tiling;
        Require(t.TileM > 0 && t.TileN > 0 && t.TileK > 0, "tile sizes must be positive", t);
        Require(t.ThreadsM > 0 && t.ThreadsN > 0, "thread counts must be positive", t);
        Require(t.TileM % t.ThreadsM == 0, "TileM must be a multiple of ThreadsM", t);
        Require(t.TileN % t.ThreadsN == 0, "TileN must be a multiple of ThreadsN", t);
        Require(t.VectorWidth is 1 or 2 or 4, "VectorWidth must be 1, 2 or 4", t);
        Require(t.TileK % t.VectorWidth == 0 && t.TileN % t.VectorWidth == 0,
            "TileK and TileN must be multiples of VectorWidth", t);
        Require(t.ThreadsM * t.ThreadsN <= 1024, "at most 1024 threads per work-group", t);
        if (MaskSplits < 1 || MaskSplits > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(MaskSplits), MaskSplits, "mask splits must be 1..32.");
        }
    }

    private static void Require(bool condition, string what, KernelTiling tiling)
    {
        if (!condition)
        {
            throw new ArgumentException($"kernel tiling {tiling}: {what}.", nameof(tiling));
        }
    }

    private static string Flag(bool on, string name) => on ? name + "_" : string.Empty;

    private static string Snake(KernelFamily family)
    {
        string name = family.ToString();
        var builder = new System.Text.StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}
