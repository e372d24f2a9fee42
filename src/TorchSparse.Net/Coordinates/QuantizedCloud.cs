namespace TorchSparse.Coordinates;

/// <summary>How a point coordinate divided by the voxel size becomes an integer voxel coordinate.</summary>
public enum QuantizeMode
{
    /// <summary>floor(x / v): TorchSparse's <c>sparse_quantize</c>.</summary>
    Floor,

    /// <summary>round(x / v), halves to even like NumPy's <c>np.round</c> (0.5 → 0, 1.5 → 2, -0.5 → 0): the
    /// spvnas SemanticKITTI pipeline.</summary>
    Round,
}

/// <summary>
/// The voxels of a point cloud: unique coordinates sorted by (b, x, y, z), the first point of each voxel, and the
/// voxel of each point. The arrays belong to this object; callers must not modify them.
/// </summary>
public sealed class QuantizedCloud
{
    internal QuantizedCloud(Tensor coords, int[] firstIndex, int[] inverse, int[] pointsByVoxel, int[] voxelStarts)
    {
        Coords = coords;
        FirstIndex = firstIndex;
        Inverse = inverse;
        PointsByVoxel = pointsByVoxel;
        VoxelStarts = voxelStarts;
    }

    /// <summary>Voxel coordinates, int32 [M, 4] as (batch, x, y, z), sorted lexicographically.</summary>
    public Tensor Coords { get; }

    /// <summary>Number of voxels M.</summary>
    public int Count => Coords.Size(0);

    /// <summary>Per voxel: the index of its first point in the input (TorchSparse's <c>return_index</c>).</summary>
    public int[] FirstIndex { get; }

    /// <summary>Per point: the row of its voxel in <see cref="Coords"/> (TorchSparse's
    /// <c>return_inverse</c>).</summary>
    public int[] Inverse { get; }

    /// <summary>Point indices grouped by voxel, ascending within a voxel; voxel m owns
    /// [VoxelStarts[m], VoxelStarts[m + 1]).</summary>
    internal int[] PointsByVoxel { get; }

    internal int[] VoxelStarts { get; }
}
