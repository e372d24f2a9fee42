using TorchSparse.Autograd;
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

        // The input row each output element came from (-1: no neighbour), for the backward pass.
        int[] source = new int[map.OutputCount * channels];
        source.AsSpan().Fill(-1);
        for (int o = 0; o < map.OutputCount; o++)
        {
            Span<float> row = dst.Slice(o * channels, channels);
            Span<int> from = source.AsSpan(o * channels, channels);
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
                    from.Fill(i);
                    any = true;
                }
                else
                {
                    for (int c = 0; c < channels; c++)
                    {
                        if (candidate[c] > row[c])
                        {
                            row[c] = candidate[c];
                            from[c] = i;
                        }
                    }
                }
            }

            if (!any)
            {
                row.Clear();
            }
        }

        RecordRouted(result, input.Feats, source, channels);
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
        var argMax = new int[batches * channels];
        var counts = new int[batches];
        for (int r = 0; r < input.Count; r++)
        {
            int b = coords[r * 4];
            counts[b]++;
            for (int c = 0; c < channels; c++)
            {
                float v = feats[(r * channels) + c];
                int at = (b * channels) + c;
                sum[at] += v;
                if (v > max[at])
                {
                    max[at] = v;
                    argMax[at] = r;
                }
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

        Tensor result = Tensor.From(pooled, batches, channels);
        if (!average)
        {
            for (int at = 0; at < argMax.Length; at++)
            {
                argMax[at] = counts[at / channels] == 0 ? -1 : argMax[at];
            }

            RecordRouted(result, input.Feats, argMax, channels);
        }
        else if (GradientTape.IsRecording)
        {
            GradientTape.Record(result, [input.Feats], g =>
            {
                // d mean / d x = 1 / count for every row of the batch.
                ReadOnlySpan<float> up = g.AsSpan<float>();
                Tensor dx = Tensor.Empty(DType.Float32, input.Feats.Device, input.Count, channels);
                Span<float> down = dx.AsSpan<float>();
                ReadOnlySpan<int> rows = input.Coords.AsSpan<int>();
                for (int r = 0; r < input.Count; r++)
                {
                    int b = rows[r * 4];
                    for (int c = 0; c < channels; c++)
                    {
                        down[(r * channels) + c] = up[(b * channels) + c] / counts[b];
                    }
                }

                return [dx];
            });
        }

        return result;
    }

    /// <summary>Records a max: the gradient of each output element goes to the input element it was taken from
    /// (the first maximum on ties, as the forward keeps it); elements with no source get none.</summary>
    private static void RecordRouted(Tensor output, Tensor input, int[] source, int channels)
    {
        if (!GradientTape.IsRecording)
        {
            return;
        }

        GradientTape.Record(output, [input], g =>
        {
            ReadOnlySpan<float> up = g.AsSpan<float>();
            Tensor dx = Tensor.Zeros(DType.Float32, input.Device, input.Shape);
            Span<float> down = dx.AsSpan<float>();
            for (int at = 0; at < source.Length; at++)
            {
                if (source[at] >= 0)
                {
                    down[(source[at] * channels) + (at % channels)] += up[at];
                }
            }

            return [dx];
        });
    }
}
