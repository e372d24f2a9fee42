using System.Numerics;

namespace TorchSparse.Coordinates;

/// <summary>
/// Point cloud to voxels, with TorchSparse's <c>sparse_quantize</c> semantics, plus per-voxel feature means and
/// batching. The division x / v is done in float32, as NumPy does for float32 points and a scalar voxel size (the
/// spvnas pipeline); <c>sparse_quantize</c> given a voxel-size tuple divides in float64 instead, which can differ
/// for a point within one float32 rounding step of a voxel boundary (never for voxel size 1).
/// </summary>
public static class SparseQuantize
{
    private const int ParallelChunk = 16384;

    /// <summary>Quantizes <paramref name="points"/>: rows of <paramref name="rowStride"/> floats whose first three are
    /// x, y, z (so [N, 4] x-y-z-intensity arrays work as they are).</summary>
    public static QuantizedCloud Quantize(
        ReadOnlySpan<float> points,
        int rowStride,
        float voxelSize,
        QuantizeMode mode = QuantizeMode.Floor,
        int batch = 0) =>
        Quantize(points, rowStride, new Vector3(voxelSize), mode, batch);

    /// <summary>Quantizes with a voxel size per axis; see the scalar overload.</summary>
    public static unsafe QuantizedCloud Quantize(
        ReadOnlySpan<float> points,
        int rowStride,
        Vector3 voxelSize,
        QuantizeMode mode = QuantizeMode.Floor,
        int batch = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rowStride, 3);
        bool positive = voxelSize.X > 0 && voxelSize.Y > 0 && voxelSize.Z > 0;
        if (!positive || !float.IsFinite(voxelSize.X + voxelSize.Y + voxelSize.Z))
        {
            throw new ArgumentOutOfRangeException(
                nameof(voxelSize), voxelSize, "voxel sizes must be positive and finite.");
        }

        if (points.Length % rowStride != 0)
        {
            throw new ShapeMismatchException(
                $"points has {points.Length} floats, not a whole number of rows of {rowStride}.");
        }

        if (batch < 0)
        {
            throw new InvalidCoordinatesException($"batch index {batch} is negative; batch indices start at 0.");
        }

        int count = points.Length / rowStride;
        int[] coords = GC.AllocateUninitializedArray<int>(checked(count * 4));
        int badRow = int.MaxValue;
        fixed (float* source = points)
        {
            float* first = source;
            ParallelWork.For(count, ParallelChunk, (start, end) =>
            {
                for (int row = start; row < end; row++)
                {
                    coords[row * 4] = batch;
                    for (int axis = 0; axis < 3; axis++)
                    {
                        float value = first[((long)row * rowStride) + axis];
                        if (!TryQuantize(value, voxelSize[axis], mode, out coords[(row * 4) + 1 + axis]))
                        {
                            LowerTo(ref badRow, row);
                        }
                    }
                }
            });
        }

        if (badRow != int.MaxValue)
        {
            throw BadPoint(points.Slice(badRow * rowStride, 3), badRow, voxelSize, mode);
        }

        return Deduplicate(coords);
    }

    /// <summary>Mean of each voxel's point features, [M, C] float32, summed in float64 in point order (so the result
    /// does not depend on the thread count).</summary>
    public static unsafe Tensor VoxelizeMean(QuantizedCloud cloud, ReadOnlySpan<float> pointFeats, int channels)
    {
        ArgumentNullException.ThrowIfNull(cloud);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        if (pointFeats.Length != (long)cloud.Inverse.Length * channels)
        {
            throw new ShapeMismatchException(
                $"point features have {pointFeats.Length} floats; {cloud.Inverse.Length} points x {channels} channels "
                + $"need {(long)cloud.Inverse.Length * channels}.");
        }

        Tensor result = Tensor.Empty(DType.Float32, cloud.Count, channels);
        fixed (float* pinned = pointFeats)
        {
            float* feats = pinned;
            ParallelWork.For(cloud.Count, ParallelChunk / 8, (start, end) =>
            {
                Span<float> means = result.AsSpan<float>();
                var sums = new double[channels];
                for (int voxel = start; voxel < end; voxel++)
                {
                    Array.Clear(sums);
                    int from = cloud.VoxelStarts[voxel], to = cloud.VoxelStarts[voxel + 1];
                    for (int at = from; at < to; at++)
                    {
                        float* row = feats + ((long)cloud.PointsByVoxel[at] * channels);
                        for (int c = 0; c < channels; c++)
                        {
                            sums[c] += row[c];
                        }
                    }

                    for (int c = 0; c < channels; c++)
                    {
                        means[(voxel * channels) + c] = (float)(sums[c] / (to - from));
                    }
                }
            });
        }

        return result;
    }

    /// <summary>
    /// Batches samples: coordinates [Ni, 4] (batch column overwritten) or [Ni, 3] (x, y, z) get batch index i, and
    /// are concatenated in list order with their features [Ni, C] (same C and dtype for every sample).
    /// </summary>
    public static (Tensor Coords, Tensor Feats) Collate(IReadOnlyList<(Tensor Coords, Tensor Feats)> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            throw new ArgumentException("collate needs at least one sample.", nameof(samples));
        }

        Tensor firstFeats = samples[0].Feats;
        int channels = firstFeats.Rank == 2 ? firstFeats.Size(1) : -1;
        long rows = 0;
        for (int i = 0; i < samples.Count; i++)
        {
            (Tensor coords, Tensor feats) = samples[i];
            ValidateSample(i, coords, feats, channels, firstFeats.DType);
            rows += coords.Size(0);
        }

        Tensor outCoords = Tensor.Empty(DType.Int32, checked((int)rows), 4);
        Tensor outFeats = Tensor.Empty(firstFeats.DType, (int)rows, channels);
        Span<int> coordsOut = outCoords.AsSpan<int>();
        Span<byte> featsOut = outFeats.AsBytes();
        int at = 0;
        long featByte = 0;
        for (int i = 0; i < samples.Count; i++)
        {
            (Tensor coords, Tensor feats) = samples[i];
            ReadOnlySpan<int> c = coords.AsSpan<int>();
            int width = coords.Size(1);
            for (int row = 0; row < coords.Size(0); row++, at++)
            {
                coordsOut[at * 4] = i;
                c.Slice((row * width) + width - 3, 3).CopyTo(coordsOut.Slice((at * 4) + 1, 3));
            }

            Span<byte> bytes = feats.AsBytes();
            bytes.CopyTo(featsOut[(int)featByte..]);
            featByte += bytes.Length;
        }

        return (outCoords, outFeats);
    }

    // Float32 division then floor or round-half-even; false for NaN, infinities and results outside int32.
    private static bool TryQuantize(float value, float voxel, QuantizeMode mode, out int quantized)
    {
        float scaled = value / voxel;
        float whole = mode == QuantizeMode.Floor ? MathF.Floor(scaled) : MathF.Round(scaled, MidpointRounding.ToEven);
        bool fits = whole >= int.MinValue && whole < 2147483648f;
        quantized = fits ? (int)whole : 0;
        return fits;
    }

    private static InvalidCoordinatesException BadPoint(
        ReadOnlySpan<float> xyz, int row, Vector3 voxelSize, QuantizeMode mode)
    {
        for (int axis = 0; axis < 3; axis++)
        {
            string name = axis switch { 0 => "x", 1 => "y", _ => "z" };
            if (!float.IsFinite(xyz[axis]))
            {
                return new InvalidCoordinatesException(
                    $"point row {row} has {name} = {xyz[axis]}; coordinates must be finite.");
            }

            if (!TryQuantize(xyz[axis], voxelSize[axis], mode, out _))
            {
                return new InvalidCoordinatesException(
                    $"point row {row} has {name} = {xyz[axis]}, which is {xyz[axis] / voxelSize[axis]} voxels of "
                    + $"{voxelSize[axis]}: outside int32 after quantization.");
            }
        }

        return new InvalidCoordinatesException($"point row {row} cannot be quantized.");
    }

    private static void LowerTo(ref int target, int value)
    {
        int seen = Volatile.Read(ref target);
        while (value < seen)
        {
            int previous = Interlocked.CompareExchange(ref target, value, seen);
            seen = previous == seen ? value : previous;
        }
    }

    // Stable sort of the points by exact voxel key, then one walk over equal keys: the first point of a run is the
    // voxel's first occurrence, and keys sort in (b, x, y, z) order.
    private static QuantizedCloud Deduplicate(int[] coords)
    {
        int count = coords.Length / 4;
        CoordinateKeyer keyer = CoordinateKeyer.FromRows(coords);
        long[] keys = GC.AllocateUninitializedArray<long>(count);
        int[] order = GC.AllocateUninitializedArray<int>(count);
        ParallelWork.For(count, ParallelChunk, (start, end) =>
        {
            for (int row = start; row < end; row++)
            {
                int at = row * 4;
                keys[row] = keyer.Encode(coords[at], coords[at + 1], coords[at + 2], coords[at + 3]);
                order[row] = row;
            }
        });
        KeySort.SortByKey(keys, order, keyer.KeyCount);

        int voxels = 0;
        for (int at = 0; at < count; at++)
        {
            voxels += at == 0 || keys[at] != keys[at - 1] ? 1 : 0;
        }

        int[] unique = new int[voxels * 4];
        int[] firstIndex = new int[voxels];
        int[] inverse = new int[count];
        int[] starts = new int[voxels + 1];
        for (int at = 0, voxel = -1; at < count; at++)
        {
            if (at == 0 || keys[at] != keys[at - 1])
            {
                voxel++;
                starts[voxel] = at;
                firstIndex[voxel] = order[at];
                coords.AsSpan(order[at] * 4, 4).CopyTo(unique.AsSpan(voxel * 4, 4));
            }

            inverse[order[at]] = voxel;
        }

        starts[voxels] = count;
        return new QuantizedCloud(Tensor.From(unique, voxels, 4), firstIndex, inverse, order, starts);
    }

    private static void ValidateSample(int index, Tensor coords, Tensor feats, int channels, DType dtype)
    {
        if (coords.DType != DType.Int32 || coords.Rank != 2 || (coords.Size(1) != 4 && coords.Size(1) != 3))
        {
            throw new ShapeMismatchException(
                $"sample {index}: coords must be int32 [N, 4] or [N, 3]; "
                + $"got {coords.DType} [{string.Join(", ", coords.Shape)}].");
        }

        if (feats.Rank != 2 || feats.Size(1) != channels || feats.Size(0) != coords.Size(0))
        {
            throw new ShapeMismatchException(
                $"sample {index}: feats must be [{coords.Size(0)}, {channels}]; "
                + $"got [{string.Join(", ", feats.Shape)}].");
        }

        if (feats.DType != dtype)
        {
            throw new DTypeMismatchException($"sample {index}: feats are {feats.DType} but sample 0's are {dtype}.");
        }
    }
}
