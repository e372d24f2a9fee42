namespace TorchSparse.KernelMaps;

/// <summary>
/// Which input row feeds each (output row, kernel offset): <c>OutInMap[o * Volume + k]</c> is an input row or -1.
/// Kernel offsets follow TorchSparse's order (odd sizes: centred, x fastest; even sizes: 0..k-1, z fastest), so
/// official [K, Cin, Cout] weights apply unchanged. A map is built as either the table or its per-offset pair lists
/// (what every CPU dataflow reads); the other form is derived on first use.
/// </summary>
public sealed class KernelMap
{
    private int[]? outInMap;
    private PairLists? pairs;
    private KernelMap? transposed;
    private long pairCount = -1;
    private bool recycled;

    // The table may be longer than outputs x offsets (a pooled array, see TensorPool); entries past that are not
    // part of the map.
    internal KernelMap(int inputCount, int outputCount, int volume, int[] outInMap)
        : this(inputCount, outputCount, volume)
    {
        if (outInMap.LongLength < (long)outputCount * volume)
        {
            throw new ShapeMismatchException(
                $"out-in map has {outInMap.LongLength} entries, expected {outputCount} outputs x {volume} offsets.");
        }

        this.outInMap = outInMap;
    }

    /// <summary>A map built as pair lists; the table is derived only if something asks for it.</summary>
    internal KernelMap(int inputCount, int outputCount, int volume, PairLists pairs)
        : this(inputCount, outputCount, volume)
    {
        if (pairs.Offsets.Length != volume + 1)
        {
            throw new ShapeMismatchException($"pair lists have {pairs.Offsets.Length - 1} offsets, expected {volume}.");
        }

        this.pairs = pairs;
    }

    private KernelMap(int inputCount, int outputCount, int volume)
    {
        InputCount = inputCount;
        OutputCount = outputCount;
        Volume = volume;
        Autograd.TensorPool.Track(this);
    }

    public int InputCount { get; }

    public int OutputCount { get; }

    /// <summary>Kernel volume K (number of offsets).</summary>
    public int Volume { get; }

    public ReadOnlySpan<int> OutInMap => RawOutInMap.AsSpan(0, OutputCount * Volume);

    /// <summary>Number of (input, output, offset) triples: the work of one conv is 2 * PairCount * Cin * Cout.</summary>
    public long PairCount
    {
        get
        {
            if (pairCount < 0 && pairs is not null)
            {
                pairCount = pairs.Offsets[Volume];
            }
            else if (pairCount < 0)
            {
                long count = 0;
                foreach (int entry in OutInMap)
                {
                    count += entry >= 0 ? 1 : 0;
                }

                pairCount = count;
            }

            return pairCount;
        }
    }

    /// <summary>The table behind <see cref="OutInMap"/>; it may run past OutputCount x Volume entries.</summary>
    internal int[] RawOutInMap
    {
        get
        {
            ThrowIfRecycled();

            // Derived at most once even when several threads ask at the same moment: the first one kept wins.
            return outInMap
                ?? Interlocked.CompareExchange(ref outInMap, pairs!.ToTable(OutputCount, Volume), null)
                ?? outInMap!;
        }
    }

    /// <summary>Output rows ordered by neighbour mask, for the sorted implicit-GEMM dataflow (built on first use).</summary>
    internal int[]? SortedRowOrder { get; set; }

    /// <summary>Coordinates of the map's input rows (set when the map is resolved through a cache).</summary>
    internal Tensor? InputCoords { get; set; }

    /// <summary>Coordinates of the map's output rows.</summary>
    internal Tensor? OutputCoords { get; set; }

    /// <summary>
    /// The transposed map, built once and kept with this one (inverse convs reuse it every forward, and every
    /// backward runs its input gradient over it). The two point at each other, so transposing back is free.
    /// </summary>
    internal KernelMap Transposed
    {
        get
        {
            if (transposed is null)
            {
                // Lists whose inputs rise (maps over rows in key order) are the transposed lists when swapped; the two
                // maps then share them, which is safe because they are recycled together.
                KernelMap t = pairs?.SwappedIfSorted() is { } swapped
                    ? new KernelMap(OutputCount, InputCount, Volume, swapped)
                    : Transpose();
                t.InputCoords = OutputCoords;
                t.OutputCoords = InputCoords;
                t.transposed = this;
                transposed = t;
            }

            return transposed;
        }
    }

    /// <summary>
    /// Whether this map is its own transpose with every offset k read as Volume - 1 - k: a submanifold map of an odd
    /// kernel over unique coordinates (if o sees i at k, i sees o at the mirrored offset).
    /// </summary>
    internal bool MirrorSymmetric { get; init; }

    /// <summary>Whether the out-in table exists yet (a map built as pair lists derives it only when asked).</summary>
    internal bool HoldsTable => outInMap is not null;

    /// <summary>
    /// The map an input gradient runs over: this map itself when <see cref="MirrorSymmetric"/> (offset k then takes
    /// the weights of offset Volume - 1 - k), so a backward builds no transposed map and reuses this one's pair lists
    /// and row order; otherwise <see cref="Transposed"/>.
    /// </summary>
    internal KernelMap InputGradMap => MirrorSymmetric ? this : Transposed;

    /// <summary>Pairs grouped by offset, each group in ascending output order (deterministic).</summary>
    internal PairLists Pairs
    {
        get
        {
            ThrowIfRecycled();
            return pairs ?? Interlocked.CompareExchange(ref pairs, PairLists.From(this), null) ?? pairs!;
        }
    }

    /// <summary>
    /// Hands the map's arrays (table, pair lists, and those of its transposed map) to <paramref name="give"/>, which
    /// keeps those it rented out; the map, and its transposed map, throw when used afterwards.
    /// </summary>
    internal void Recycle(Action<Array> give)
    {
        if (recycled)
        {
            return;
        }

        recycled = true;
        if (outInMap is not null)
        {
            give(outInMap);
            outInMap = null;
        }

        if (pairs is not null)
        {
            give(pairs.Inputs);
            give(pairs.Outputs);
            pairs = null;
        }

        SortedRowOrder = null;
        transposed?.Recycle(give);
    }

    private void ThrowIfRecycled()
    {
        if (recycled)
        {
            throw new ObjectDisposedException(
                nameof(KernelMap), "this kernel map was recycled (TensorPool.RecycleKernelMaps) and its memory reused.");
        }
    }

    /// <summary>The map of the transposed conv: outputs become inputs, same offset index.</summary>
    public KernelMap Transpose()
    {
        ReadOnlySpan<int> table = OutInMap;
        int[] transposed = Autograd.TensorPool.RentArray<int>(KernelMapBuilder.MapLength(InputCount, Volume));
        transposed.AsSpan(0, InputCount * Volume).Fill(-1);
        for (int o = 0; o < OutputCount; o++)
        {
            for (int k = 0; k < Volume; k++)
            {
                int i = table[(o * Volume) + k];
                if (i >= 0)
                {
                    ref int slot = ref transposed[(i * Volume) + k];
                    if (slot >= 0)
                    {
                        throw new InvalidOperationException(
                            $"kernel map is not transposable: input {i} feeds outputs {slot} and {o} at offset {k}.");
                    }

                    slot = o;
                }
            }
        }

        return new KernelMap(OutputCount, InputCount, Volume, transposed);
    }
}
