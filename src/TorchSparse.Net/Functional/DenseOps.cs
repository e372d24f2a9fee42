namespace TorchSparse.Functional;

/// <summary>How rows that collapse onto one cell are combined.</summary>
public enum Reduction
{
    Sum,
    Max,
    Mean,
}

/// <summary>Conversions from sparse tensors to dense grids and bird's-eye views.</summary>
public static class DenseOps
{
    /// <summary>
    /// Scatters the features into a dense channels-last grid [B, X, Y, Z, C] (zeros where there is no voxel).
    /// <paramref name="spatialShape"/> defaults to the largest coordinate + 1 per axis; coordinates must lie in
    /// [0, shape).
    /// </summary>
    public static Tensor ToDense(SparseTensor input, Int3? spatialShape = null)
    {
        SparseOps.RequireCpu(input, nameof(ToDense));
        ReadOnlySpan<int> coords = input.Coords.AsSpan<int>();
        int batches = 0;
        Int3 extent = new(0, 0, 0);
        for (int r = 0; r < input.Count; r++)
        {
            batches = Math.Max(batches, coords[r * 4] + 1);
            extent = new Int3(
                Math.Max(extent.X, coords[(r * 4) + 1] + 1),
                Math.Max(extent.Y, coords[(r * 4) + 2] + 1),
                Math.Max(extent.Z, coords[(r * 4) + 3] + 1));
        }

        Int3 shape = spatialShape ?? extent;
        int channels = input.Channels;
        Tensor dense = Tensor.Zeros(DType.Float32, input.Device, batches, shape.X, shape.Y, shape.Z, channels);
        Span<float> dst = dense.AsSpan<float>();
        ReadOnlySpan<float> src = input.Feats.AsSpan<float>();
        for (int r = 0; r < input.Count; r++)
        {
            int x = coords[(r * 4) + 1];
            int y = coords[(r * 4) + 2];
            int z = coords[(r * 4) + 3];
            if ((uint)x >= (uint)shape.X || (uint)y >= (uint)shape.Y || (uint)z >= (uint)shape.Z)
            {
                throw new InvalidCoordinatesException(
                    $"ToDense: row {r} at ({x}, {y}, {z}) lies outside the grid {shape}.");
            }

            long cell = ((((long)coords[r * 4] * shape.X + x) * shape.Y + y) * shape.Z) + z;
            src.Slice(r * channels, channels).CopyTo(dst.Slice((int)(cell * channels), channels));
        }

        return dense;
    }

    /// <summary>
    /// Collapses one axis (default z) into a bird's-eye view: rows with the same (batch, other two axes) are reduced
    /// into one row whose collapsed coordinate is 0. Output rows are sorted by (b, x, y, z); reduction order is the
    /// input row order, so the result is deterministic. The result gets its own kernel-map cache.
    /// </summary>
    public static SparseTensor ToBev(SparseTensor input, int axis = 2, Reduction reduction = Reduction.Sum)
    {
        SparseOps.RequireCpu(input, nameof(ToBev));
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)axis, 2u, nameof(axis));
        int n = input.Count;
        int channels = input.Channels;
        int[] flat = input.Coords.AsSpan<int>().ToArray();
        for (int r = 0; r < n; r++)
        {
            flat[(r * 4) + 1 + axis] = 0;
        }

        int[] order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (a, b) => CompareRows(flat, a, b) is int c && c != 0 ? c : a.CompareTo(b));
        var outCoords = new List<int>();
        var groupOf = new int[n];
        int groups = -1;
        for (int i = 0; i < n; i++)
        {
            int r = order[i];
            if (i == 0 || CompareRows(flat, order[i - 1], r) != 0)
            {
                groups++;
                outCoords.AddRange(flat.AsSpan(r * 4, 4));
            }

            groupOf[r] = groups;
        }

        int m = groups + 1;
        var result = new float[m * channels];
        var counts = new int[m];
        ReadOnlySpan<float> src = input.Feats.AsSpan<float>();
        for (int i = 0; i < n; i++)
        {
            int r = order[i];
            int g = groupOf[r];
            Span<float> row = result.AsSpan(g * channels, channels);
            ReadOnlySpan<float> value = src.Slice(r * channels, channels);
            for (int c = 0; c < channels; c++)
            {
                row[c] = reduction == Reduction.Max && counts[g] > 0 ? MathF.Max(row[c], value[c])
                    : reduction == Reduction.Max ? value[c] : row[c] + value[c];
            }

            counts[g]++;
        }

        if (reduction == Reduction.Mean)
        {
            for (int g = 0; g < m; g++)
            {
                for (int c = 0; c < channels; c++)
                {
                    result[(g * channels) + c] /= counts[g];
                }
            }
        }

        return new SparseTensor(Tensor.From(result, m, channels), Tensor.From(outCoords.ToArray(), m, 4), input.Stride);
    }

    private static int CompareRows(int[] flat, int a, int b)
    {
        for (int j = 0; j < 4; j++)
        {
            int c = flat[(a * 4) + j].CompareTo(flat[(b * 4) + j]);
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }
}
