using TorchSparse.KernelMaps;

namespace TorchSparse.Gpu.OpenCl;

/// <summary>
/// A kernel map's buffers on one OpenCL device, uploaded on first use and kept with the map (maps are reused by
/// every layer of a group, and by the backward): the out-in map, the per-offset pair lists, and the sorted row
/// orders with per-tile masks per (tile rows, splits).
/// </summary>
internal sealed class DeviceKernelMap(ClDevice device, KernelMap map, ClBuffer? builtOutIn = null)
{
    private readonly Dictionary<(int TileM, int Splits), (ClBuffer Order, ClBuffer Masks)> sorted = [];
    private ClBuffer? outIn = builtOutIn;
    private ClBuffer? inputs;
    private ClBuffer? outputs;

    public KernelMap Map { get; } = map;

    public ClBuffer OutIn => outIn ??= device.AllocateFrom(Map.OutInMap);

    public ClBuffer PairInputs => inputs ??= device.AllocateFrom<int>(Map.Pairs.Inputs.AsSpan(0, Map.Pairs.Offsets[^1]));

    public ClBuffer PairOutputs => outputs ??= device.AllocateFrom<int>(Map.Pairs.Outputs.AsSpan(0, Map.Pairs.Offsets[^1]));

    /// <summary>
    /// For the sorted implicit GEMM: per split, the output rows ordered by their neighbour mask within the split
    /// (descending, ties by row, so the order is deterministic), and per tile of <paramref name="tileM"/> sorted
    /// rows the OR of their masks.
    /// </summary>
    public (ClBuffer Order, ClBuffer Masks) Sorted(int tileM, int splits)
    {
        if (sorted.TryGetValue((tileM, splits), out var built))
        {
            return built;
        }

        int rows = Map.OutputCount;
        int volume = Map.Volume;
        int perSplit = (volume + splits - 1) / splits;
        int tiles = (rows + tileM - 1) / tileM;
        var order = new int[(long)splits * rows];
        var masks = new uint[(long)splits * tiles];
        var rowMask = new uint[rows];
        ReadOnlySpan<int> table = Map.OutInMap;
        for (int s = 0; s < splits; s++)
        {
            int begin = s * perSplit;
            int end = Math.Min(begin + perSplit, volume);
            for (int o = 0; o < rows; o++)
            {
                uint mask = 0;
                for (int k = begin; k < end; k++)
                {
                    if (table[(o * volume) + k] >= 0)
                    {
                        mask |= 1u << (k - begin);
                    }
                }

                rowMask[o] = mask;
            }

            Span<int> splitOrder = order.AsSpan(s * rows, rows);
            for (int o = 0; o < rows; o++)
            {
                splitOrder[o] = o;
            }

            // Descending mask, then ascending row: the sort is not stable, so the row breaks ties explicitly.
            splitOrder.Sort((a, b) => rowMask[a] != rowMask[b] ? rowMask[b].CompareTo(rowMask[a]) : a.CompareTo(b));
            for (int p = 0; p < rows; p++)
            {
                masks[((long)s * tiles) + (p / tileM)] |= rowMask[splitOrder[p]];
            }
        }

        built = (device.AllocateFrom<int>(order), device.AllocateFrom<uint>(masks));
        sorted[(tileM, splits)] = built;
        return built;
    }
}
