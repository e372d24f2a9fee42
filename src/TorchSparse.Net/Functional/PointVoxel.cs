using System.Numerics;
using TorchSparse.Autograd;
using TorchSparse.Backends.Cpu;
using TorchSparse.Coordinates;

namespace TorchSparse.Functional;

/// <summary>
/// Moving features between points and voxels (SPVCNN's point_to_voxel / voxel_to_point), with TorchSparse's
/// exact arithmetic so official point-voxel checkpoints reproduce.
/// </summary>
public static class PointVoxel
{
    private const int PointChunk = 4096;

    /// <summary>
    /// SPVCNN's initial_voxelize: point coordinates scaled by <paramref name="scale"/> (pres / vres), floored, and
    /// made unique; each voxel's features are the mean of its points'. Voxels are numbered in order of their first
    /// point. Returns the stride-1 voxel tensor and the points on the scaled coordinates.
    /// </summary>
    public static (SparseTensor Voxels, PointTensor Points) InitialVoxelize(PointTensor points, float scale = 1f)
    {
        if (!(scale > 0) || !float.IsFinite(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "the resolution ratio must be positive.");
        }

        if (points.Coords.Device.Kind != DeviceKind.Cpu)
        {
            return OnHost(points, scale);
        }

        int n = points.Count;
        ReadOnlySpan<float> pc = points.Coords.AsSpan<float>();
        var scaled = new float[n * 4];
        var cells = new int[n * 4];
        for (int i = 0; i < n * 4; i++)
        {
            scaled[i] = i % 4 == 0 || scale == 1f ? pc[i] : pc[i] * scale;
            double floored = Math.Floor(scaled[i]);
            if (floored is < int.MinValue or > int.MaxValue)
            {
                throw new InvalidCoordinatesException(
                    $"point {i / 4} coordinate {scaled[i]} overflows int32 after scaling by {scale}.");
            }

            cells[i] = (int)floored;
        }

        CoordinateHashTable table = CoordinateHashTable.Build(cells);
        var voxelOf = new int[n];
        var firstPoints = new List<int>();
        for (int p = 0; p < n; p++)
        {
            int first = table.Find(cells[p * 4], cells[(p * 4) + 1], cells[(p * 4) + 2], cells[(p * 4) + 3]);
            if (first == p)
            {
                voxelOf[p] = firstPoints.Count;
                firstPoints.Add(p);
            }
            else
            {
                voxelOf[p] = voxelOf[first];
            }
        }

        int m = firstPoints.Count;
        var coords = new int[m * 4];
        for (int v = 0; v < m; v++)
        {
            cells.AsSpan(firstPoints[v] * 4, 4).CopyTo(coords.AsSpan(v * 4, 4));
        }

        int channels = points.Channels;
        ReadOnlySpan<float> pf = points.Feats.AsSpan<float>();
        var sums = new double[m * channels];
        var counts = new int[m];
        for (int p = 0; p < n; p++)
        {
            int v = voxelOf[p];
            counts[v]++;
            for (int c = 0; c < channels; c++)
            {
                sums[(v * channels) + c] += pf[(p * channels) + c];
            }
        }

        var mean = new float[m * channels];
        for (int i = 0; i < mean.Length; i++)
        {
            mean[i] = (float)(sums[i] / counts[i / channels]);
        }

        var voxels = new SparseTensor(Tensor.From(mean, m, channels), Tensor.From(coords, m, 4));
        RecordMean(voxels.Feats, points.Feats, voxelOf, counts);
        var movedPoints = scale == 1f ? points : new PointTensor(points.Feats, Tensor.From(scaled, n, 4));
        return (voxels, movedPoints);
    }

    /// <summary>
    /// Mean of the point features falling into each voxel of <paramref name="voxels"/> (a point at p belongs to the
    /// voxel floor(p / stride)); voxels no point falls into get zeros. Points outside every voxel are ignored
    /// (TorchSparse would add them to row 0; point-voxel models never produce such points). Each voxel sums its points
    /// in point order, so the result does not depend on the thread count.
    /// </summary>
    public static SparseTensor PointToVoxel(SparseTensor voxels, PointTensor points)
    {
        if (voxels.Device.Kind != DeviceKind.Cpu)
        {
            RequireForwardOnly(voxels, points, nameof(PointToVoxel));
            return voxels.WithFeats(voxels.Device.Backend.PointToVoxel(voxels, points.Coords, points.Feats));
        }

        CoordinateHashTable table = TableOf(voxels);
        float[] pc = HostArray(points.Coords);
        int n = points.Count;
        int m = voxels.Count;
        Int3 s = voxels.Stride;
        var rowOf = new int[n];
        ParallelWork.For(n, PointChunk, (start, end) =>
        {
            for (int p = start; p < end; p++)
            {
                rowOf[p] = table.Find((int)pc[p * 4], Cell(pc[(p * 4) + 1], s.X), Cell(pc[(p * 4) + 2], s.Y),
                    Cell(pc[(p * 4) + 3], s.Z));
            }
        });

        (int[] first, int[] order) = GroupByVoxel(rowOf, m);

        int channels = points.Channels;
        float[] pf = HostArray(points.Feats);
        Tensor output = Tensor.Zeros(DType.Float32, voxels.Device, m, channels);
        float[] mean = HostArray(output);
        ParallelWork.For(m, PointChunk, (start, end) =>
        {
            for (int v = start; v < end; v++)
            {
                Span<float> dst = mean.AsSpan(v * channels, channels);
                int count = first[v + 1] - first[v];
                for (int i = first[v]; i < first[v + 1]; i++)
                {
                    AddScaled(dst, pf.AsSpan(order[i] * channels, channels), 1f);
                }

                if (count > 1)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        dst[c] /= count;
                    }
                }
            }
        });

        var pointCounts = new int[m];
        for (int v = 0; v < m; v++)
        {
            pointCounts[v] = first[v + 1] - first[v];
        }

        RecordMean(output, points.Feats, rowOf, pointCounts);
        return voxels.WithFeats(output);
    }

    /// <summary>
    /// Trilinear interpolation of voxel features at the points (TorchSparse calc_ti_weights + devoxelize): the 8
    /// voxels around floor(p / s) in order 4dx + 2dy + dz, weights from the offsets to the lower corner, missing
    /// voxels weigh 0, and the weights are renormalised by (sum + 1e-8), all in float32 as TorchSparse computes them.
    /// </summary>
    public static PointTensor Devoxelize(SparseTensor voxels, PointTensor points)
    {
        if (voxels.Device.Kind != DeviceKind.Cpu)
        {
            RequireForwardOnly(voxels, points, nameof(Devoxelize));
            return points.WithFeats(voxels.Device.Backend.Devoxelize(voxels, points.Coords));
        }

        CoordinateHashTable table = TableOf(voxels);
        float[] pc = HostArray(points.Coords);
        float[] vf = HostArray(voxels.Feats);
        int channels = voxels.Channels;
        Tensor output = Tensor.Zeros(DType.Float32, voxels.Device, points.Count, channels);
        float[] result = HostArray(output);
        Int3 s = voxels.Stride;
        float volume = (float)s.X * s.Y * s.Z;
        bool recording = GradientTape.IsRecording;
        int[] usedRows = recording ? new int[points.Count * 8] : [];
        float[] usedWeights = recording ? new float[points.Count * 8] : [];
        ParallelWork.For(points.Count, PointChunk, (start, end) =>
        {
            Span<int> rows = stackalloc int[8];
            Span<float> weights = stackalloc float[8];
            for (int p = start; p < end; p++)
            {
                int b = (int)pc[p * 4];
                Corner x = new(pc[(p * 4) + 1], s.X);
                Corner y = new(pc[(p * 4) + 2], s.Y);
                Corner z = new(pc[(p * 4) + 3], s.Z);
                float total = 0f;
                int found = 0;
                for (int k = 0; k < 8; k++)
                {
                    int dx = k >> 2;
                    int dy = (k >> 1) & 1;
                    int dz = k & 1;
                    float w = x.Weight(dx) * y.Weight(dy) * z.Weight(dz);
                    if (volume != 1f)
                    {
                        w /= volume;
                    }

                    // A corner of weight 0 adds nothing, so it is not looked up (on integer coordinates only one of
                    // the eight has weight). TorchSparse would add 0 * feature, which differs only for inf or NaN.
                    int row = w == 0f ? -1 : table.Find(b, x.Cell + dx, y.Cell + dy, z.Cell + dz);
                    if (row >= 0)
                    {
                        rows[found] = row;
                        weights[found++] = w;
                        total += w;
                    }
                }

                for (int k = 0; k < found; k++)
                {
                    weights[k] /= total + 1e-8f;
                }

                WeightedSum(result.AsSpan(p * channels, channels), vf, channels, rows[..found], weights[..found]);
                if (recording)
                {
                    usedRows.AsSpan(p * 8, 8).Fill(-1);
                    rows[..found].CopyTo(usedRows.AsSpan(p * 8, 8));
                    weights[..found].CopyTo(usedWeights.AsSpan(p * 8, 8));
                }
            }
        });

        if (recording)
        {
            int m = voxels.Count;
            GradientTape.Record(output, [voxels.Feats], g => [DevoxelizeBackward(g, usedRows, usedWeights, m)]);
        }

        return points.WithFeats(output);
    }

    /// <summary>
    /// <see cref="InitialVoxelize"/> of points on another device: the unique-cell search runs on the host (one pass
    /// over the input points, as the strided kernel maps do), and its results go back to the points' device.
    /// </summary>
    private static (SparseTensor Voxels, PointTensor Points) OnHost(PointTensor points, float scale)
    {
        RequireNotRecording(nameof(InitialVoxelize), points.Coords.Device);
        Device device = points.Coords.Device;
        var host = new PointTensor(points.Feats.CopyTo(Device.Cpu), points.Coords.CopyTo(Device.Cpu));
        (SparseTensor voxels, PointTensor moved) = InitialVoxelize(host, scale);
        var deviceVoxels = new SparseTensor(voxels.Feats.CopyTo(device), voxels.Coords.CopyTo(device));
        return (deviceVoxels, scale == 1f ? points : new PointTensor(points.Feats, moved.Coords.CopyTo(device)));
    }

    private static void RequireForwardOnly(SparseTensor voxels, PointTensor points, string op)
    {
        Device.RequireSame(voxels.Device, points.Coords.Device, op);
        Device.RequireSame(voxels.Device, points.Feats.Device, op);
        RequireNotRecording(op, voxels.Device);
    }

    private static void RequireNotRecording(string op, Device device)
    {
        if (GradientTape.IsRecording)
        {
            throw new NotSupportedException(
                $"{op} on {device} runs forward only; record gradients (training) on the CPU.");
        }
    }

    /// <summary>
    /// Points grouped by voxel (a stable counting sort): voxel v's points are order[first[v]..first[v + 1]] in
    /// ascending point order, so each voxel sums them in the same order on every device. Points with row -1 (in no
    /// voxel) are left out.
    /// </summary>
    internal static (int[] First, int[] Order) GroupByVoxel(ReadOnlySpan<int> rowOf, int voxels)
    {
        var first = new int[voxels + 1];
        foreach (int row in rowOf)
        {
            if (row >= 0)
            {
                first[row + 1]++;
            }
        }

        for (int v = 0; v < voxels; v++)
        {
            first[v + 1] += first[v];
        }

        var order = new int[first[voxels]];
        int[] next = first[..voxels];
        for (int p = 0; p < rowOf.Length; p++)
        {
            if (rowOf[p] >= 0)
            {
                order[next[rowOf[p]]++] = p;
            }
        }

        return (first, order);
    }

    /// <summary>Backward of a mean over groups: each source row gets its group's gradient divided by the group's
    /// size. Rows in no group (index -1) get zero.</summary>
    private static void RecordMean(Tensor output, Tensor source, int[] groupOf, int[] groupSizes)
    {
        if (!GradientTape.IsRecording)
        {
            return;
        }

        GradientTape.Record(output, [source], g =>
        {
            int channels = g.Size(1);
            Tensor d = Tensor.Zeros(DType.Float32, g.Device, groupOf.Length, channels);
            ReadOnlySpan<float> gs = g.AsSpan<float>();
            Span<float> ds = d.AsSpan<float>();
            for (int p = 0; p < groupOf.Length; p++)
            {
                int v = groupOf[p];
                if (v >= 0)
                {
                    float inverse = 1f / groupSizes[v];
                    for (int c = 0; c < channels; c++)
                    {
                        ds[(p * channels) + c] = gs[(v * channels) + c] * inverse;
                    }
                }
            }

            return [d];
        });
    }

    /// <summary>Backward of trilinear devoxelization: each voxel collects weight x gradient from the points that
    /// read it, in point order (deterministic).</summary>
    private static Tensor DevoxelizeBackward(Tensor outputGrad, int[] rows, float[] weights, int voxelCount)
    {
        int channels = outputGrad.Size(1);
        Tensor d = Tensor.Zeros(DType.Float32, outputGrad.Device, voxelCount, channels);
        ReadOnlySpan<float> g = outputGrad.AsSpan<float>();
        Span<float> ds = d.AsSpan<float>();
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i] >= 0)
            {
                AddScaled(ds.Slice(rows[i] * channels, channels), g.Slice(i / 8 * channels, channels), weights[i]);
            }
        }

        return d;
    }

    /// <summary>dst = sum over k of weights[k] * row rows[k] of <paramref name="source"/>, in one pass over dst; each
    /// element adds the terms in k order, like the scalar loop.</summary>
    private static void WeightedSum(Span<float> dst, float[] source, int channels, ReadOnlySpan<int> rows, ReadOnlySpan<float> weights)
    {
        if (rows.Length == 1)
        {
            ReadOnlySpan<float> only = source.AsSpan(rows[0] * channels, channels);
            float w = weights[0];
            for (int c = 0; c < channels; c++)
            {
                dst[c] = w * only[c];
            }

            return;
        }

        int v = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; v <= channels - Vector<float>.Count; v += Vector<float>.Count)
            {
                Vector<float> sum = Vector<float>.Zero;
                for (int k = 0; k < rows.Length; k++)
                {
                    sum += new Vector<float>(weights[k]) * new Vector<float>(source.AsSpan((rows[k] * channels) + v));
                }

                sum.CopyTo(dst[v..]);
            }
        }

        for (; v < channels; v++)
        {
            float sum = 0f;
            for (int k = 0; k < rows.Length; k++)
            {
                sum += weights[k] * source[(rows[k] * channels) + v];
            }

            dst[v] = sum;
        }
    }

    /// <summary>The array behind a CPU tensor, shared, not copied (the kernels below run on the host).</summary>
    private static float[] HostArray(Tensor t) => ((CpuStorage<float>)t.Storage).Array;

    /// <summary>dst += w * src, vectorised (each element is still one multiply and one add, in order).</summary>
    private static void AddScaled(Span<float> dst, ReadOnlySpan<float> src, float w)
    {
        int c = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var scale = new Vector<float>(w);
            for (; c <= dst.Length - Vector<float>.Count; c += Vector<float>.Count)
            {
                var sum = new Vector<float>(dst[c..]) + (scale * new Vector<float>(src[c..]));
                sum.CopyTo(dst[c..]);
            }
        }

        for (; c < dst.Length; c++)
        {
            dst[c] += w * src[c];
        }
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
