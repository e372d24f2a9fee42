using TorchSparse.Coordinates;

namespace TorchSparse.Functional;

/// <summary>
/// Moving features between points and voxels (SPVCNN's point_to_voxel / voxel_to_point), with TorchSparse's
/// exact arithmetic so official point-voxel checkpoints reproduce.
/// </summary>
public static class PointVoxel
{
    /// <summary>
    /// Mean of the point features falling into each voxel of <paramref name="voxels"/> (a point at p belongs to the
    /// voxel floor(p / stride)); voxels no point falls into get zeros. Points outside every voxel are ignored
    /// (TorchSparse would add them to row 0; point-voxel models never produce such points).
    /// </summary>
    public static SparseTensor PointToVoxel(SparseTensor voxels, PointTensor points)
    {
        SparseOps.RequireCpu(voxels, nameof(PointToVoxel));
        CoordinateHashTable table = TableOf(voxels);
        ReadOnlySpan<float> pc = points.Coords.AsSpan<float>();
        ReadOnlySpan<float> pf = points.Feats.AsSpan<float>();
        int channels = points.Channels;
        int m = voxels.Count;
        var sums = new double[m * channels];
        var counts = new int[m];
        Int3 s = voxels.Stride;
        for (int p = 0; p < points.Count; p++)
        {
            int row = table.Find((int)pc[p * 4], Cell(pc[(p * 4) + 1], s.X), Cell(pc[(p * 4) + 2], s.Y),
                Cell(pc[(p * 4) + 3], s.Z));
            if (row < 0)
            {
                continue;
            }

            counts[row]++;
            for (int c = 0; c < channels; c++)
            {
                sums[(row * channels) + c] += pf[(p * channels) + c];
            }
        }

        var mean = new float[m * channels];
        for (int v = 0; v < m; v++)
        {
            for (int c = 0; c < channels && counts[v] > 0; c++)
            {
                mean[(v * channels) + c] = (float)(sums[(v * channels) + c] / counts[v]);
            }
        }

        return voxels.WithFeats(Tensor.From(mean, m, channels));
    }

    /// <summary>
    /// Trilinear interpolation of voxel features at the points (TorchSparse calc_ti_weights + devoxelize): the 8
    /// voxels around floor(p / s) in order 4dx + 2dy + dz, weights from the offsets to the lower corner, missing
    /// voxels weigh 0, and the weights are renormalised by (sum + 1e-8), all in float32 as TorchSparse computes them.
    /// </summary>
    public static PointTensor Devoxelize(SparseTensor voxels, PointTensor points)
    {
        SparseOps.RequireCpu(voxels, nameof(Devoxelize));
        CoordinateHashTable table = TableOf(voxels);
        ReadOnlySpan<float> pc = points.Coords.AsSpan<float>();
        ReadOnlySpan<float> vf = voxels.Feats.AsSpan<float>();
        int channels = voxels.Channels;
        var result = new float[points.Count * channels];
        Int3 s = voxels.Stride;
        Span<int> rows = stackalloc int[8];
        Span<float> weights = stackalloc float[8];
        for (int p = 0; p < points.Count; p++)
        {
            int b = (int)pc[p * 4];
            Corner x = new(pc[(p * 4) + 1], s.X);
            Corner y = new(pc[(p * 4) + 2], s.Y);
            Corner z = new(pc[(p * 4) + 3], s.Z);
            float volume = (float)s.X * s.Y * s.Z;
            float total = 0f;
            for (int k = 0; k < 8; k++)
            {
                int dx = k >> 2;
                int dy = (k >> 1) & 1;
                int dz = k & 1;
                rows[k] = table.Find(b, x.Cell + dx, y.Cell + dy, z.Cell + dz);
                float w = x.Weight(dx) * y.Weight(dy) * z.Weight(dz);
                if (volume != 1f)
                {
                    w /= volume;
                }

                weights[k] = rows[k] < 0 ? 0f : w;
                total += weights[k];
            }

            Span<float> dst = result.AsSpan(p * channels, channels);
            for (int k = 0; k < 8; k++)
            {
                float w = weights[k] / (total + 1e-8f);
                if (rows[k] < 0)
                {
                    continue;
                }

                ReadOnlySpan<float> src = vf.Slice(rows[k] * channels, channels);
                for (int c = 0; c < channels; c++)
                {
                    dst[c] += w * src[c];
                }
            }
        }

        return points.WithFeats(Tensor.From(result, points.Count, channels));
    }

    private static int Cell(float coordinate, int stride) => (int)MathF.Floor(coordinate / stride);

    private static CoordinateHashTable TableOf(SparseTensor voxels) => voxels.Cache.GetOrAddTable(
        voxels.Stride, () => CoordinateHashTable.Build(voxels.Coords.AsSpan<int>()));

    /// <summary>One axis of TorchSparse's weights: lower corner pf = floor(p / s) * s, upper pc = pf + s.</summary>
    private readonly struct Corner
    {
        private readonly float p;
        private readonly float lower;
        private readonly float upper;

        public Corner(float p, int stride)
        {
            this.p = p;
            Cell = (int)MathF.Floor(p / stride);
            lower = stride == 1 ? MathF.Floor(p) : MathF.Floor(p / stride) * stride;
            upper = lower + stride;
        }

        public int Cell { get; }

        public float Weight(int d) => d == 0 ? upper - p : p - lower;
    }
}
