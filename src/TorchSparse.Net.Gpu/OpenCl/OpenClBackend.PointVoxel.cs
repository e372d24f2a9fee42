using TorchSparse.Gpu.Generator;

namespace TorchSparse.Gpu.OpenCl;

/// <summary>
/// Point-voxel feature transfer (SPVCNN's point_to_voxel and voxel_to_point) for tensors on the OpenCL device, by
/// generated kernels that match <c>TorchSparse.Functional.PointVoxel</c> to rounding. Points are passed as their
/// coordinate and feature tensors, because a <see cref="PointTensor"/> validates its coordinates on the host and so
/// holds CPU tensors only. Forward only: no gradient is recorded. The voxels' coordinate table is built for each
/// call and freed after it.
/// </summary>
internal sealed partial class OpenClBackend
{
    /// <summary>
    /// Mean of the point features per voxel of <paramref name="voxels"/>, [voxels, C]: a point at p belongs to the
    /// voxel floor(p / stride); a voxel no point falls into gets zeros and a point in no voxel is ignored. Each voxel
    /// sums its points in point order: the points' voxel rows are found on the device, sorted into a CSR by voxel on
    /// the host (a stable counting sort of one int per point, which keeps the order deterministic without a device
    /// sort), and the sums run on the device.
    /// </summary>
    public override Tensor PointToVoxel(SparseTensor voxels, Tensor pointCoords, Tensor pointFeats)
    {
        ArgumentNullException.ThrowIfNull(voxels);
        RequirePoints(pointCoords, nameof(PointToVoxel));
        RequireRows(pointFeats, pointCoords.Size(0), "point feats", nameof(PointToVoxel));
        RequireOnDevice(voxels.Coords, "voxel coords", nameof(PointToVoxel));
        int m = voxels.Count;
        int channels = pointFeats.Size(1);
        Tensor output = Tensor.Empty(DType.Float32, Device, m, channels);
        if ((long)m * channels == 0)
        {
            return output;
        }

        int[] rowOf;
        using (DeviceHashTable table = BuildTable(voxels.Coords))
        {
            rowOf = PointRows(table, pointCoords, voxels.Stride).ToArray<int>();
        }

        (int[] first, int[] order) = Functional.PointVoxel.GroupByVoxel(rowOf, m);
        using ClBuffer firstBuffer = Cl.AllocateFrom<int>(first);
        using ClBuffer orderBuffer = Cl.AllocateFrom<int>(order);
        Run(new KernelSpec { Family = KernelFamily.Voxelize }, (long)m * channels,
            Buffer(pointFeats), firstBuffer, orderBuffer, Buffer(output), m, channels);
        return output;
    }

    /// <summary>
    /// Trilinear interpolation of the voxel features at the points, [points, C] (TorchSparse devoxelize): the 8
    /// voxels around floor(p / stride), weighted by the offsets to their corners, missing voxels weighing 0 and the
    /// weights renormalised over the voxels present; a point with no voxel around it gets zeros.
    /// </summary>
    public override Tensor Devoxelize(SparseTensor voxels, Tensor pointCoords)
    {
        ArgumentNullException.ThrowIfNull(voxels);
        RequirePoints(pointCoords, nameof(Devoxelize));
        RequireRows(voxels.Feats, voxels.Count, "voxel feats", nameof(Devoxelize));
        RequireOnDevice(voxels.Coords, "voxel coords", nameof(Devoxelize));
        int n = pointCoords.Size(0);
        int channels = voxels.Channels;
        Tensor output = Tensor.Empty(DType.Float32, Device, n, channels);
        if ((long)n * channels == 0)
        {
            return output;
        }

        Int3 s = voxels.Stride;
        float volume = (float)s.X * s.Y * s.Z;
        using DeviceHashTable table = BuildTable(voxels.Coords);
        Run(new KernelSpec { Family = KernelFamily.Devoxelize }, (long)n * channels,
            Buffer(pointCoords), table.Keys, table.Values, Buffer(voxels.Feats), Buffer(output), n, channels, table.Mask,
            s.X, s.Y, s.Z, volume);
        return output;
    }

    /// <summary>rows[p] = the row in <paramref name="table"/> of the voxel floor(p / <paramref name="stride"/>)
    /// holding point p, or -1.</summary>
    internal Tensor PointRows(DeviceHashTable table, Tensor pointCoords, Int3 stride)
    {
        RequirePoints(pointCoords, nameof(PointRows));
        stride.RequirePositive(nameof(stride));
        int n = pointCoords.Size(0);
        Tensor rows = Tensor.Empty(DType.Int32, Device, n);
        Run(new KernelSpec { Family = KernelFamily.PointQuery }, n,
            Buffer(pointCoords), table.Keys, table.Values, Buffer(rows), n, table.Mask, stride.X, stride.Y, stride.Z);
        return rows;
    }

    private void RequirePoints(Tensor coords, string op)
    {
        ArgumentNullException.ThrowIfNull(coords);
        if (coords.DType != DType.Float32 || coords.Rank != 2 || coords.Size(1) != 4)
        {
            throw new ShapeMismatchException(
                $"{op}: point coords must be float32 [N, 4] as (batch, x, y, z); got {coords.DType} "
                + $"[{string.Join(", ", coords.Shape)}].");
        }

        RequireOnDevice(coords, "point coords", op);
    }

    private void RequireRows(Tensor feats, int rows, string what, string op)
    {
        ArgumentNullException.ThrowIfNull(feats);
        if (feats.DType != DType.Float32)
        {
            throw new DTypeMismatchException($"{op}: {what} must be float32; got {feats.DType}.");
        }

        if (feats.Rank != 2 || feats.Size(0) != rows)
        {
            throw new ShapeMismatchException(
                $"{op}: {what} must be [{rows}, C]; got [{string.Join(", ", feats.Shape)}].");
        }

        RequireOnDevice(feats, what, op);
    }

    private void RequireOnDevice(Tensor tensor, string what, string op)
    {
        if (!tensor.Device.Equals(Device))
        {
            throw new DeviceMismatchException($"{op}: {what} are on {tensor.Device}, not {Device}; copy them first.");
        }
    }
}
