using TorchSparse.Conv;
using TorchSparse.KernelMaps;

namespace TorchSparse.Functional;

/// <summary>Pooling over sparse neighbourhoods and over whole clouds.</summary>
public static class Pooling
{
    /// <summary>Mean of each batch's rows: dense [B, C] with B = largest batch index + 1 (empty batches give 0).</summary>
    public static Tensor GlobalAvgPool(SparseTensor input) => Global(input, average: true);

    /// <summary>Maximum of each batch's rows: dense [B, C] (empty batches give 0).</summary>
    public static Tensor GlobalMaxPool(SparseTensor input) => Global(input, average: false);

    /// <summary>
    /// Sparse 3D max pooling (spconv SparseMaxPool3d semantics): each output takes the channel-wise maximum over the
    /// inputs its kernel map connects it to; absent neighbours are ignored, not treated as zeros. Output coordinates
    /// follow the same rules as a convolution of that geometry, and the map is shared with such convolutions.
    /// </summary>
    public static SparseTensor MaxPool3d(SparseTensor input, ConvGeometry geometry)
    {
        SparseOps.RequireCpu(input, nameof(MaxPool3d));
        geometry.Validate();
        if (geometry.Transposed)
        {
            throw new ArgumentException("max pooling cannot be transposed.", nameof(geometry));
        }

        ResolvedMap resolved = KernelMapResolver.Resolve(input, geometry);
        KernelMap map = resolved.Map;
        int channels = input.Channels;
        ReadOnlySpan<int> table = map.OutInMap;
        ReadOnlySpan<float> src = input.Feats.AsSpan<float>();
        Tensor result = Tensor.Empty(DType.Float32, input.Device, map.OutputCount, channels);
        Span<float> dst = result.AsSpan<float>();
        for (int o = 0; o < map.OutputCount; o++)
        {
            Span<float> row = dst.Slice(o * channels, channels);
            bool any = false;
            for (int k = 0; k < map.Volume; k++)
            {
                int i = table[(o * map.Volume) + k];
                if (i < 0)
                {
                    continue;
                }

                ReadOnlySpan<float> candidate = src.Slice(i * channels, channels);
                if (!any)
                {
                    candidate.CopyTo(row);
                    any = true;
                }
                else
                {
                    for (int c = 0; c < channels; c++)
                    {
                        row[c] = MathF.Max(row[c], candidate[c]);
                    }
                }
            }

            if (!any)
            {
                row.Clear();
            }
        }

        return new SparseTensor(result, resolved.OutCoords, resolved.OutStride, resolved.OutCache);
    }

    private static Tensor Global(SparseTensor input, bool average)
    {
        SparseOps.RequireCpu(input, average ? nameof(GlobalAvgPool) : nameof(GlobalMaxPool));
        ReadOnlySpan<int> coords = input.Coords.AsSpan<int>();
        ReadOnlySpan<float> feats = input.Feats.AsSpan<float>();
        int channels = input.Channels;
        int batches = 0;
        for (int r = 0; r < input.Count; r++)
        {
            batches = Math.Max(batches, coords[r * 4] + 1);
        }

        var sum = new double[batches * channels];
        var max = new float[batches * channels];
        Array.Fill(max, float.NegativeInfinity);
        var counts = new int[batches];
        for (int r = 0; r < input.Count; r++)
        {
            int b = coords[r * 4];
            counts[b]++;
            for (int c = 0; c < channels; c++)
            {
                float v = feats[(r * channels) + c];
                sum[(b * channels) + c] += v;
                max[(b * channels) + c] = MathF.Max(max[(b * channels) + c], v);
            }
        }

        var pooled = new float[batches * channels];
        for (int b = 0; b < batches; b++)
        {
            for (int c = 0; c < channels; c++)
            {
                int at = (b * channels) + c;
                pooled[at] = counts[b] == 0 ? 0f : average ? (float)(sum[at] / counts[b]) : max[at];
            }
        }

        return Tensor.From(pooled, batches, channels);
    }
}
