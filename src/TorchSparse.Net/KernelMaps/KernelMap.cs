namespace TorchSparse.KernelMaps;

/// <summary>
/// Which input row feeds each (output row, kernel offset): <c>OutInMap[o * Volume + k]</c> is an input row or -1.
/// Kernel offsets follow TorchSparse's order (odd sizes: centred, x fastest; even sizes: 0..k-1, z fastest), so
/// official [K, Cin, Cout] weights apply unchanged. Per-offset pair lists are derived on first use.
/// </summary>
public sealed class KernelMap
{
    private readonly int[] outInMap;
    private PairLists? pairs;
    private KernelMap? transposed;
    private long pairCount = -1;

    internal KernelMap(int inputCount, int outputCount, int volume, int[] outInMap)
    {
        if (outInMap.LongLength != (long)outputCount * volume)
        {
            throw new ShapeMismatchException(
                $"out-in map has {outInMap.LongLength} entries, expected {outputCount} outputs x {volume} offsets.");
        }

        InputCount = inputCount;
        OutputCount = outputCount;
        Volume = volume;
        this.outInMap = outInMap;
    }

    public int InputCount { get; }

    public int OutputCount { get; }

    /// <summary>Kernel volume K (number of offsets).</summary>
    public int Volume { get; }

    public ReadOnlySpan<int> OutInMap => outInMap;

    /// <summary>Number of (input, output, offset) triples: the work of one conv is 2 * PairCount * Cin * Cout.</summary>
    public long PairCount
    {
        get
        {
            if (pairCount < 0)
            {
                long count = 0;
                foreach (int entry in outInMap)
                {
                    count += entry >= 0 ? 1 : 0;
                }

                pairCount = count;
            }

            return pairCount;
        }
    }

    internal int[] RawOutInMap => outInMap;

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
                KernelMap t = Transpose();
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

    /// <summary>
    /// The map an input gradient runs over: this map itself when <see cref="MirrorSymmetric"/> (offset k then takes
    /// the weights of offset Volume - 1 - k), so a backward builds no transposed map and reuses this one's pair lists
    /// and row order; otherwise <see cref="Transposed"/>.
    /// </summary>
    internal KernelMap InputGradMap => MirrorSymmetric ? this : Transposed;

    /// <summary>Pairs grouped by offset, each group in ascending output order (deterministic).</summary>
    internal PairLists Pairs => pairs ??= PairLists.From(this);

    /// <summary>The map of the transposed conv: outputs become inputs, same offset index.</summary>
    public KernelMap Transpose()
    {
        var transposed = new int[(long)InputCount * Volume];
        Array.Fill(transposed, -1);
        for (int o = 0; o < OutputCount; o++)
        {
            for (int k = 0; k < Volume; k++)
            {
                int i = outInMap[(o * Volume) + k];
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

/// <summary>Kernel-map pairs in per-offset groups: group k is [Offsets[k], Offsets[k+1]).</summary>
internal sealed class PairLists
{
    private PairLists(int[] offsets, int[] inputs, int[] outputs)
    {
        Offsets = offsets;
        Inputs = inputs;
        Outputs = outputs;
    }

    public int[] Offsets { get; }

    public int[] Inputs { get; }

    public int[] Outputs { get; }

    public int Size(int k) => Offsets[k + 1] - Offsets[k];

    public static PairLists From(KernelMap map)
    {
        int volume = map.Volume;
        ReadOnlySpan<int> table = map.OutInMap;
        var offsets = new int[volume + 1];
        for (int o = 0; o < map.OutputCount; o++)
        {
            for (int k = 0; k < volume; k++)
            {
                if (table[(o * volume) + k] >= 0)
                {
                    offsets[k + 1]++;
                }
            }
        }

        for (int k = 0; k < volume; k++)
        {
            offsets[k + 1] += offsets[k];
        }

        var inputs = new int[offsets[volume]];
        var outputs = new int[offsets[volume]];
        var cursor = (int[])offsets.Clone();
        for (int o = 0; o < map.OutputCount; o++)
        {
            for (int k = 0; k < volume; k++)
            {
                int i = table[(o * volume) + k];
                if (i >= 0)
                {
                    int at = cursor[k]++;
                    inputs[at] = i;
                    outputs[at] = o;
                }
            }
        }

        return new PairLists(offsets, inputs, outputs);
    }
}
