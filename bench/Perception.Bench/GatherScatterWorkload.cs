using TorchSparse.KernelMaps;

namespace Perception.Bench;

/// <summary>
/// One sparse conv as gather-GEMM-scatter work: input features [N_in, Cin], weight [K, Cin, Cout] and, per kernel
/// offset k, the input rows that feed the output rows (<c>InputRows[k][i]</c> → <c>OutputRows[k][i]</c>).
/// </summary>
public sealed class GatherScatterWorkload
{
    public GatherScatterWorkload(float[] inputFeats, int inChannels, float[] weight, int outChannels, int outputCount,
        int[][] inputRows, int[][] outputRows)
    {
        if (inChannels <= 0 || outChannels <= 0 || outputCount < 0 || inputFeats.Length % inChannels != 0)
        {
            throw new ArgumentException(
                $"{inputFeats.Length} input values do not form rows of Cin={inChannels}; Cout={outChannels}, N_out={outputCount}");
        }

        if (inputRows.Length != outputRows.Length || weight.Length != inputRows.Length * inChannels * outChannels)
        {
            throw new ArgumentException(
                $"{inputRows.Length} input and {outputRows.Length} output pair lists for a weight of {weight.Length} "
                + $"values; [K, {inChannels}, {outChannels}] needs one pair list per offset");
        }

        int inputCount = inputFeats.Length / inChannels;
        for (int k = 0; k < inputRows.Length; k++)
        {
            if (inputRows[k].Length != outputRows[k].Length)
            {
                throw new ArgumentException($"offset {k}: {inputRows[k].Length} input rows but {outputRows[k].Length} output rows");
            }

            CheckRows(inputRows[k], inputCount, k, "input");
            CheckRows(outputRows[k], outputCount, k, "output");
        }

        InputFeats = inputFeats;
        InChannels = inChannels;
        Weight = weight;
        OutChannels = outChannels;
        OutputCount = outputCount;
        InputRows = inputRows;
        OutputRows = outputRows;
    }

    public float[] InputFeats { get; }

    public int InChannels { get; }

    public int InputCount => InputFeats.Length / InChannels;

    /// <summary>[K, Cin, Cout], TorchSparse's layout.</summary>
    public float[] Weight { get; }

    public int OutChannels { get; }

    public int OutputCount { get; }

    public int KernelVolume => InputRows.Length;

    public int[][] InputRows { get; }

    public int[][] OutputRows { get; }

    /// <summary>Total (input, output, offset) pairs: the conv does 2 · Pairs · Cin · Cout flops.</summary>
    public long PairCount => InputRows.Sum(rows => (long)rows.Length);

    public double GigaFlops => 2.0 * PairCount * InChannels * OutChannels / 1e9;

    /// <summary>The pair lists of an engine kernel map, per offset in ascending output order.</summary>
    public static GatherScatterWorkload FromKernelMap(KernelMap map, float[] inputFeats, int inChannels, float[] weight,
        int outChannels)
    {
        ReadOnlySpan<int> table = map.OutInMap;
        var inputs = new List<int>[map.Volume];
        var outputs = new List<int>[map.Volume];
        for (int k = 0; k < map.Volume; k++)
        {
            inputs[k] = [];
            outputs[k] = [];
        }

        for (int o = 0; o < map.OutputCount; o++)
        {
            for (int k = 0; k < map.Volume; k++)
            {
                int i = table[(o * map.Volume) + k];
                if (i >= 0)
                {
                    inputs[k].Add(i);
                    outputs[k].Add(o);
                }
            }
        }

        return new GatherScatterWorkload(inputFeats, inChannels, weight, outChannels, map.OutputCount,
            [.. inputs.Select(list => list.ToArray())], [.. outputs.Select(list => list.ToArray())]);
    }

    /// <summary>The exact result in double: what both the engine and PyTorch approximate in float32.</summary>
    public double[] ReferenceOutput()
    {
        var output = new double[(long)OutputCount * OutChannels];
        for (int k = 0; k < KernelVolume; k++)
        {
            for (int p = 0; p < InputRows[k].Length; p++)
            {
                int input = InputRows[k][p] * InChannels, outRow = OutputRows[k][p] * OutChannels;
                for (int ci = 0; ci < InChannels; ci++)
                {
                    double a = InputFeats[input + ci];
                    int w = ((k * InChannels) + ci) * OutChannels;
                    for (int co = 0; co < OutChannels; co++)
                    {
                        output[outRow + co] += a * Weight[w + co];
                    }
                }
            }
        }

        return output;
    }

    private static void CheckRows(int[] rows, int count, int k, string side)
    {
        foreach (int row in rows)
        {
            if ((uint)row >= (uint)count)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), row, $"offset {k}: {side} row {row} is outside [0, {count})");
            }
        }
    }
}
