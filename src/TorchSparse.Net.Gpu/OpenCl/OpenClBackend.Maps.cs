using TorchSparse.Gpu.Generator;
using TorchSparse.KernelMaps;

namespace TorchSparse.Gpu.OpenCl;

/// <summary>Kernel-map construction for coordinates that live on the OpenCL device.</summary>
internal sealed partial class OpenClBackend
{
    /// <summary>
    /// Generated kernels: a hash table of the rows' packed coordinates, then one query per (row, offset). The map
    /// stays on the device for the convs and is also read back, because the engine's map is host memory (pair lists,
    /// transposes and sorted orders are derived there).
    /// </summary>
    public override KernelMap BuildSubmanifoldMap(Tensor coords, Int3 kernel, Int3 dilation)
    {
        kernel.RequirePositive(nameof(kernel));
        dilation.RequirePositive(nameof(dilation));
        int rows = coords.Size(0);
        int volume = kernel.Volume;
        using DeviceHashTable table = BuildTable(coords);
        long entries = (long)rows * volume;
        ClBuffer map = Cl.Allocate(entries * sizeof(int));
        Run(new KernelSpec { Family = KernelFamily.SubmanifoldMap }, entries,
            Buffer(coords), table.Keys, table.Values, map, rows, table.Mask,
            kernel.X, kernel.Y, kernel.Z, dilation.X, dilation.Y, dilation.Z);
        var host = new int[KernelMapBuilder.MapLength(rows, volume)];
        if (entries > 0)
        {
            Cl.Read(map, host.AsSpan());
        }

        var built = new KernelMap(rows, rows, volume, host)
        {
            MirrorSymmetric = KernelMapBuilder.IsOdd(kernel) && !table.HasDuplicates,
        };
        lock (gate)
        {
            maps.Add(built, new DeviceKernelMap(Cl, built, map));
        }

        return built;
    }

    /// <summary>The coordinate table of <paramref name="coords"/> [N, 4]: twice as many slots as rows (a power of
    /// two), so linear probes stay short.</summary>
    internal DeviceHashTable BuildTable(Tensor coords)
    {
        int rows = coords.Size(0);
        long capacity = 64;
        while (capacity < 2L * rows)
        {
            capacity *= 2;
        }

        var table = new DeviceHashTable(Cl, capacity);
        using ClBuffer status = Cl.Allocate(2 * sizeof(int));
        Cl.Write<int>(status, [int.MaxValue, 0]);
        Run(new KernelSpec { Family = KernelFamily.HashBuild }, rows,
            Buffer(coords), table.Keys, table.Values, status, rows, table.Mask);
        var result = new int[2];
        Cl.Read<int>(status, result);
        if (result[0] != int.MaxValue)
        {
            table.Dispose();
            var row = new int[4];
            Cl.Read<int>(Buffer(coords), row, (long)result[0] * 4 * sizeof(int));
            throw new InvalidCoordinatesException(
                $"coords row {result[0]} ({string.Join(", ", row)}) cannot be a key on {Name}: the batch index must be "
                + "0..32767 and x, y, z within -32768..32767.");
        }

        table.HasDuplicates = result[1] != 0;
        return table;
    }

    /// <summary>rows[q] = the row of query q's coordinate in <paramref name="table"/>, or -1.</summary>
    internal Tensor Query(DeviceHashTable table, Tensor queries)
    {
        Tensor rows = Tensor.Empty(DType.Int32, Device, queries.Size(0));
        Run(new KernelSpec { Family = KernelFamily.HashQuery }, queries.Size(0),
            Buffer(queries), table.Keys, table.Values, Buffer(rows), queries.Size(0), table.Mask);
        return rows;
    }
}

/// <summary>Keys (all ones when empty) and first rows (INT_MAX when empty) of a device coordinate table.</summary>
internal sealed class DeviceHashTable : IDisposable
{
    public DeviceHashTable(ClDevice device, long capacity)
    {
        Keys = device.Allocate(capacity * sizeof(ulong));
        Values = device.Allocate(capacity * sizeof(int));
        device.Fill(Keys, ulong.MaxValue, 0, Keys.Bytes);
        device.Fill(Values, int.MaxValue, 0, Values.Bytes);
        Mask = (ulong)capacity - 1;
    }

    public ClBuffer Keys { get; }

    public ClBuffer Values { get; }

    public ulong Mask { get; }

    public bool HasDuplicates { get; set; }

    public void Dispose()
    {
        Keys.Dispose();
        Values.Dispose();
    }
}
