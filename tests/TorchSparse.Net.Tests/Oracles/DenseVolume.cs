namespace TorchSparse.Tests.Oracles;

/// <summary>
/// A dense [B, X, Y, Z, C] grid of doubles plus an occupancy mask: which cells hold a voxel. A sparse tensor is a
/// dense volume that is zero and unoccupied almost everywhere; the reference convolutions run on this form.
/// </summary>
public sealed class DenseVolume
{
    private readonly double[] values;
    private readonly bool[] occupied;

    public DenseVolume(int batches, Int3 size, int channels)
    {
        if (batches < 0 || channels < 0 || size.X < 0 || size.Y < 0 || size.Z < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), $"volume [{batches}, {size}, {channels}] is negative");
        }

        Batches = batches;
        Size = size;
        Channels = channels;
        long cells = (long)batches * size.X * size.Y * size.Z;
        values = new double[checked(cells * channels)];
        occupied = new bool[cells];
    }

    public int Batches { get; }

    public Int3 Size { get; }

    public int Channels { get; }

    public int CellCount => occupied.Length;

    /// <summary>Scatters sparse rows (b, x, y, z) with float features into a new volume; duplicates are an error.</summary>
    public static DenseVolume FromSparse(ReadOnlySpan<int> coords, ReadOnlySpan<float> feats, int channels,
        int batches, Int3 size)
    {
        var volume = new DenseVolume(batches, size, channels);
        int rows = coords.Length / 4;
        if (feats.Length != rows * channels)
        {
            throw new ArgumentException($"{feats.Length} feature values for {rows} rows x {channels} channels");
        }

        for (int row = 0; row < rows; row++)
        {
            int cell = volume.CellIndexChecked(coords.Slice(row * 4, 4));
            if (volume.occupied[cell])
            {
                throw new ArgumentException($"row {row} repeats voxel ({string.Join(", ", coords.Slice(row * 4, 4).ToArray())})");
            }

            volume.occupied[cell] = true;
            for (int c = 0; c < channels; c++)
            {
                volume.values[((long)cell * channels) + c] = feats[(row * channels) + c];
            }
        }

        return volume;
    }

    /// <summary>One channel of 1.0 at each occupied cell: the input of the "does any voxel reach this cell" convs.</summary>
    public DenseVolume OccupancyIndicator()
    {
        var indicator = new DenseVolume(Batches, Size, 1);
        for (int cell = 0; cell < occupied.Length; cell++)
        {
            indicator.occupied[cell] = occupied[cell];
            indicator.values[cell] = occupied[cell] ? 1.0 : 0.0;
        }

        return indicator;
    }

    public bool IsOccupied(int cell) => occupied[cell];

    /// <summary>The channel values of one cell.</summary>
    public Span<double> Cell(int cell) => values.AsSpan(cell * Channels, Channels);

    /// <summary>Flat cell index of (b, x, y, z), or -1 when the point is outside the grid.</summary>
    public int CellIndex(int b, int x, int y, int z)
    {
        if ((uint)b >= (uint)Batches || (uint)x >= (uint)Size.X || (uint)y >= (uint)Size.Y || (uint)z >= (uint)Size.Z)
        {
            return -1;
        }

        return (((((b * Size.X) + x) * Size.Y) + y) * Size.Z) + z;
    }

    /// <summary>(b, x, y, z) of a flat cell index.</summary>
    public (int B, int X, int Y, int Z) CellCoords(int cell)
    {
        int z = cell % Size.Z;
        int rest = cell / Size.Z;
        int y = rest % Size.Y;
        rest /= Size.Y;
        return (rest / Size.X, rest % Size.X, y, z);
    }

    /// <summary>Features at each (b, x, y, z) row, [rows, C] row-major; every row must be inside the grid.</summary>
    public double[] Sample(ReadOnlySpan<int> coords)
    {
        int rows = coords.Length / 4;
        var result = new double[rows * Channels];
        for (int row = 0; row < rows; row++)
        {
            Cell(CellIndexChecked(coords.Slice(row * 4, 4))).CopyTo(result.AsSpan(row * Channels, Channels));
        }

        return result;
    }

    /// <summary>Coordinates of the cells whose channel 0 is positive, in (b, x, y, z) order, as [M, 4] rows.</summary>
    /// <remarks>Applied to the all-ones conv of <see cref="OccupancyIndicator"/>: the cells some voxel reaches.</remarks>
    public int[] PositiveCellCoords()
    {
        var coords = new List<int>();
        for (int cell = 0; cell < occupied.Length; cell++)
        {
            if (Channels > 0 && values[(long)cell * Channels] > 0)
            {
                (int b, int x, int y, int z) = CellCoords(cell);
                coords.AddRange([b, x, y, z]);
            }
        }

        return [.. coords];
    }

    private int CellIndexChecked(ReadOnlySpan<int> bxyz)
    {
        int cell = CellIndex(bxyz[0], bxyz[1], bxyz[2], bxyz[3]);
        if (cell < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bxyz),
                $"voxel ({bxyz[0]}, {bxyz[1]}, {bxyz[2]}, {bxyz[3]}) is outside [{Batches}, {Size}]");
        }

        return cell;
    }
}
