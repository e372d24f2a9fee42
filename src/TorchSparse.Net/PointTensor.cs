namespace TorchSparse;

/// <summary>
/// Point-level features for point-voxel models (SPVCNN): float coordinates [N, 4] as (batch, x, y, z) in voxel units
/// of the finest grid, and features [N, C].
/// </summary>
public sealed class PointTensor
{
    public PointTensor(Tensor feats, Tensor coords)
        : this(feats, coords, coordsChecked: false)
    {
    }

    private PointTensor(Tensor feats, Tensor coords, bool coordsChecked)
    {
        if (coords.DType != DType.Float32 || coords.Rank != 2 || coords.Size(1) != 4)
        {
            throw new ShapeMismatchException(
                $"point coords must be float32 [N, 4] as (batch, x, y, z); got {coords.DType} [{string.Join(", ", coords.Shape)}].");
        }

        if (feats.Rank != 2 || feats.Size(0) != coords.Size(0))
        {
            throw new ShapeMismatchException(
                $"point feats must be [N, C] with N = {coords.Size(0)}; got [{string.Join(", ", feats.Shape)}].");
        }

        Device.RequireSame(feats.Device, coords.Device, "PointTensor");
        if (!coordsChecked)
        {
            CheckCoords(coords);
        }

        Feats = feats;
        Coords = coords;
    }

    public Tensor Feats { get; }

    public Tensor Coords { get; }

    public int Count => Coords.Size(0);

    public int Channels => Feats.Size(1);

    /// <summary>New features on the same coordinates, which were checked when they were first given.</summary>
    public PointTensor WithFeats(Tensor feats) => new(feats, Coords, coordsChecked: true);

    /// <summary>Finite coordinates and a non-negative integer batch index (read on the host for other devices).</summary>
    private static void CheckCoords(Tensor coords)
    {
        ReadOnlySpan<float> c = coords.HostView<float>();
        for (int i = 0; i < c.Length; i++)
        {
            if (!float.IsFinite(c[i]) || (i % 4 == 0 && (c[i] < 0 || c[i] != MathF.Floor(c[i]))))
            {
                throw new InvalidCoordinatesException(
                    $"point coords row {i / 4}, column {i % 4} is {c[i]}: coordinates must be finite and the batch "
                    + "index a non-negative integer.");
            }
        }
    }
}
