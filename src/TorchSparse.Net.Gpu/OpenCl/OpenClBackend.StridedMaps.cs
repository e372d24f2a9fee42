using System.Numerics;
using TorchSparse.Conv;
using TorchSparse.Gpu.Generator;
using TorchSparse.KernelMaps;

namespace TorchSparse.Gpu.OpenCl;

/// <summary>Strided (downsampling) and generative kernel maps built on the OpenCL device.</summary>
internal sealed partial class OpenClBackend
{
    /// <summary>
    /// Generated kernels (see <see cref="StridedMapTemplates"/>): the output cells proposed by the rows (floor rules)
    /// or by every (row, offset) pair are sorted and made unique on the device, numbered by rank, put in a table, and
    /// every pair looks its output up there. Coordinates outside the rules' domain are reported by the host builder,
    /// with its messages.
    /// </summary>
    public override (KernelMap Map, Tensor OutputCoords) BuildStridedMap(Tensor coords, ConvGeometry geometry)
    {
        StridedRule rule = KernelMapBuilder.RuleOf(geometry);
        int rows = coords.Size(0);
        Int3 kernel = geometry.KernelSize;
        int volume = kernel.Volume;
        if (rows == 0)
        {
            return (new KernelMap(0, 0, volume, []), Tensor.Empty(DType.Int32, Device, 0, 4));
        }

        long[]? axes = StridedAxes(coords, rule, geometry);
        if (axes is null)
        {
            // Outside the rules' domain (a negative batch, ...): the host builder rejects them with the exact row.
            (KernelMap hostMap, int[] hostCoords) = KernelMapBuilder.Strided(coords.ToArray<int>(), geometry);
            return (hostMap, Tensor.From<int>(hostCoords, [hostCoords.Length / 4, 4], Device));
        }

        bool floorCells = StridedAxis.MarksFloorCells(rule);
        using ClBuffer axesBuffer = Cl.AllocateFrom<long>(axes);
        (Tensor outCoords, int outputs) = UniqueOutputs(coords, axesBuffer, kernel, floorCells);
        long entries = (long)outputs * volume;
        ClBuffer map = Cl.Allocate(entries * sizeof(int));
        if (entries > 0)
        {
            Cl.Fill(map, int.MaxValue, 0, map.Bytes);
            using DeviceHashTable table = BuildTable(outCoords);
            Run(new KernelSpec { Family = KernelFamily.StridedMap }, (long)rows * volume,
                Buffer(coords), axesBuffer, table.Keys, table.Values, map, rows, table.Mask, kernel.X, kernel.Y, kernel.Z);
            Run(new KernelSpec { Family = KernelFamily.MapFinish }, entries, map, entries);
        }

        var host = new int[KernelMapBuilder.MapLength(outputs, volume)];
        if (entries > 0)
        {
            Cl.Read(map, host.AsSpan());
        }

        var built = new KernelMap(rows, outputs, volume, host);
        lock (gate)
        {
            maps.Add(built, new DeviceKernelMap(Cl, built, map));
        }

        return (built, outCoords);
    }

    /// <summary>
    /// The per-axis rule parameters the templates read (mul, add, div, lo, hi for x, y, z, then the terms of x, y
    /// and z), with the output range from the coordinates' bounds, reduced on the device; null when the coordinates
    /// break a rule's domain or the range leaves int32 (the cases the host builder reports).
    /// </summary>
    private long[]? StridedAxes(Tensor coords, StridedRule rule, ConvGeometry g)
    {
        int rows = coords.Size(0);
        using ClBuffer boundsBuffer = Cl.AllocateFrom<int>(
            [int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue, int.MinValue, int.MinValue, int.MinValue]);
        Run(new KernelSpec { Family = KernelFamily.CoordinateBounds }, rows, Buffer(coords), boundsBuffer, rows);
        var bounds = new int[7];
        Cl.Read<int>(boundsBuffer, bounds);
        if (bounds[0] < 0 || (rule == StridedRule.Spconv && Math.Min(bounds[1], Math.Min(bounds[2], bounds[3])) < 0))
        {
            return null;
        }

        var parameters = new List<long>(15 + g.KernelSize.X + g.KernelSize.Y + g.KernelSize.Z);
        var terms = new List<long>();
        for (int axis = 0; axis < 3; axis++)
        {
            (long mul, long add, long div, long[] term) =
                StridedAxis.Arithmetic(rule, g.KernelSize[axis], g.Stride[axis], g.Dilation[axis], g.Padding[axis]);
            (long lo, long hi) = StridedAxis.OutputRange(rule, g.KernelSize[axis], g.Stride[axis], g.Dilation[axis],
                g.Padding[axis], term, bounds[1 + axis], bounds[4 + axis]);
            if (lo < int.MinValue || (hi > int.MaxValue && hi >= lo))
            {
                return null;
            }

            parameters.AddRange([mul, add, div, lo, hi]);
            terms.AddRange(term);
        }

        return [.. parameters, .. terms];
    }

    /// <summary>The sorted unique output coordinates [M, 4] on the device, and M.</summary>
    private (Tensor Coords, int Count) UniqueOutputs(Tensor coords, ClBuffer axes, Int3 kernel, bool floorCells)
    {
        int rows = coords.Size(0);
        long proposals = floorCells ? rows : (long)rows * kernel.Volume;
        long padded = (long)BitOperations.RoundUpToPowerOf2((ulong)proposals);
        using ClBuffer keys = Cl.Allocate(padded * sizeof(ulong));
        using ClBuffer status = Cl.AllocateFrom<int>([int.MaxValue]);
        Run(new KernelSpec { Family = KernelFamily.StridedKeys }, padded, Buffer(coords), axes, keys, status, rows,
            kernel.X, kernel.Y, kernel.Z, floorCells ? 1 : 0, padded);
        var bad = new int[1];
        Cl.Read<int>(status, bad);
        if (bad[0] != int.MaxValue)
        {
            var row = new int[4];
            Cl.Read<int>(Buffer(coords), row, (long)bad[0] * 4 * sizeof(int));
            throw new InvalidCoordinatesException(
                $"coords row {bad[0]} ({string.Join(", ", row)}) reaches an output coordinate beyond what {Name} keys: "
                + "the batch index must be 0..32767 and x, y, z within -32768..32767.");
        }

        for (long k = 2; k <= padded; k *= 2)
        {
            for (long j = k / 2; j > 0; j /= 2)
            {
                Run(new KernelSpec { Family = KernelFamily.BitonicSortStep }, padded, keys, j, k, padded);
            }
        }

        using ClBuffer ranks = Cl.Allocate(padded * sizeof(int));
        Run(new KernelSpec { Family = KernelFamily.UniqueFlags }, padded, keys, ranks, padded);
        Scan(ranks, padded);
        var count = new int[1];
        Cl.Read<int>(ranks, count, (padded - 1) * sizeof(int));
        Tensor outCoords = Tensor.Empty(DType.Int32, Device, count[0], 4);
        Run(new KernelSpec { Family = KernelFamily.CompactKeys }, padded, keys, ranks, Buffer(outCoords), padded);
        return (outCoords, count[0]);
    }

    /// <summary>Inclusive prefix sum of <paramref name="count"/> ints in place: per work-group, then the group totals
    /// (recursively), then each group adds the totals before it.</summary>
    private void Scan(ClBuffer values, long count)
    {
        // The templates' SCAN_GROUP is the work-group size every 1-D launch here uses.
        long groups = (count + ElementwiseGroup - 1) / ElementwiseGroup;
        using ClBuffer sums = Cl.Allocate(groups * sizeof(int));
        Run(new KernelSpec { Family = KernelFamily.ScanBlocks }, count, values, sums, count);
        if (groups > 1)
        {
            Scan(sums, groups);
            Run(new KernelSpec { Family = KernelFamily.AddBlockSums }, count, values, sums, count);
        }
    }
}
