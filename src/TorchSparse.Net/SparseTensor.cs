using TorchSparse.KernelMaps;

namespace TorchSparse;

/// <summary>
/// Sparse voxel features: coordinates int32 [N, 4] as (batch, x, y, z) in the downsampled index space of
/// <see cref="Stride"/> (the TorchSparse 2.1 / spconv convention), and features [N, C].
/// Tensors derived from one input share a <see cref="KernelMapCache"/>, so layers at the same stride reuse maps.
/// </summary>
public sealed class SparseTensor
{
    public SparseTensor(Tensor feats, Tensor coords, Int3? stride = null, KernelMapCache? cache = null)
    {
        Validate(feats, coords);
        Feats = feats;
        Coords = coords;
        Stride = stride ?? Int3.One;
        Stride.RequirePositive(nameof(stride));
        Cache = cache ?? new KernelMapCache();
        Cache.RegisterCoords(Stride, coords);
    }

    public Tensor Feats { get; }

    public Tensor Coords { get; }

    /// <summary>Tensor stride: how many input voxels one voxel of this tensor spans per axis.</summary>
    public Int3 Stride { get; }

    /// <summary>Coordinates, hash tables and kernel maps shared by every tensor derived from the same input.</summary>
    public KernelMapCache Cache { get; }

    public int Count => Coords.Size(0);

    public int Channels => Feats.Size(1);

    public Device Device => Feats.Device;

    /// <summary>A copy of features and coordinates on <paramref name="device"/>, with a cache of its own (kernel maps
    /// are built where the coordinates live).</summary>
    public SparseTensor CopyTo(Device device) => new(Feats.CopyTo(device), Coords.CopyTo(device), Stride);

    /// <summary>The same coordinates, stride and cache with new features (same row count).</summary>
    public SparseTensor WithFeats(Tensor feats) => new(feats, Coords, Stride, Cache);

    private static void Validate(Tensor feats, Tensor coords)
    {
        if (coords.DType != DType.Int32 || coords.Rank != 2 || coords.Size(1) != 4)
        {
            throw new ShapeMismatchException(
                $"coords must be int32 [N, 4] as (batch, x, y, z); got {coords.DType} [{string.Join(", ", coords.Shape)}].");
        }

        if (feats.Rank != 2)
        {
            throw new ShapeMismatchException($"feats must be [N, C]; got rank {feats.Rank}.");
        }

        if (feats.Size(0) != coords.Size(0))
        {
            throw new ShapeMismatchException(
                $"feats has {feats.Size(0)} rows but coords has {coords.Size(0)}; they must match row for row.");
        }

        Device.RequireSame(feats.Device, coords.Device, "SparseTensor");
        if (coords.Device.Kind == DeviceKind.Cpu)
        {
            ReadOnlySpan<int> c = coords.AsSpan<int>();
            for (int row = 0; row < coords.Size(0); row++)
            {
                if (c[row * 4] < 0)
                {
                    throw new InvalidCoordinatesException(
                        $"coords row {row} has negative batch index {c[row * 4]}; batch indices start at 0.");
                }
            }
        }
    }
}
