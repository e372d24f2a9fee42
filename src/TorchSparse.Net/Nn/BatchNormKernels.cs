using System.Buffers;
using System.Numerics;
using TorchSparse.Backends.Cpu;

namespace TorchSparse.Nn;

/// <summary>
/// The row loops of training BatchNorm over [n, c] float32 rows: vectorised with <see cref="Vector{T}"/> (so every
/// width the runtime has, scalar included) and split across threads. Per-channel sums are float64: each block of
/// <see cref="BlockRows"/> rows sums its rows in order, then the blocks are summed in order, so the result does not
/// depend on the thread count. The normalised value h = (float)((x - mean) * invStd) and the output y = h * w + b
/// are recomputed from x wherever the backward needs them rather than stored: the same arithmetic gives the same
/// bits, and no [n, c] buffer per BatchNorm has to stay alive on the tape. With a fused ReLU the output is
/// max(y, 0) and the backward masks the gradient where y &lt;= 0 (to g * 0, as the separate ReLU's backward does).
/// </summary>
internal static unsafe class BatchNormKernels
{
    private const int BlockRows = 256;

    /// <summary>sums[j] = sum over rows of x[r, j].</summary>
    public static double[] ColumnSums(ReadOnlySpan<float> x, int c)
    {
        fixed (float* px = x)
        {
            return Sums(x.Length / c, c, 1, new ColumnRows(px, c));
        }
    }

    /// <summary>sums[j] = sum over rows of (x[r, j] - mean[j])^2.</summary>
    public static double[] SquaredDeviations(ReadOnlySpan<float> x, int c, double[] mean)
    {
        fixed (float* px = x)
        fixed (double* pMean = mean)
        {
            return Sums(x.Length / c, c, 1, new DeviationRows(px, c, pMean));
        }
    }

    /// <summary>(sum of g, sum of g * h) per channel, g masked by the fused ReLU if any: the backward's reductions.</summary>
    public static (double[] SumG, double[] SumGh) GradientSums(
        ReadOnlySpan<float> g, ReadOnlySpan<float> x, BatchNormAffine affine)
    {
        int c = affine.Channels;
        fixed (float* pg = g, px = x)
        {
            double[] sums = Sums(x.Length / c, c, 2, new GradientRows(pg, affine.Rows(px)));
            return (sums[..c], sums[c..]);
        }
    }

    /// <summary>y = h * w + b in float32 (two roundings, as the reference), then max(y, 0) with a fused ReLU.</summary>
    public static void Normalize(ReadOnlySpan<float> x, Span<float> y, BatchNormAffine affine)
    {
        fixed (float* px = x, py = y)
        {
            var rows = new NormalizeRows(affine.Rows(px), py);
            ParallelRanges.Run(x.Length / affine.Channels, ParallelRanges.ThreadsFor(2L * x.Length), 1, rows);
        }
    }

    /// <summary>dx = (weight * invStd) * ((g - sumG / n) - h * sumGh / n), in float64, rounded to float32 (g masked
    /// by a fused ReLU), with the weight as it is now (as the reference reads it).</summary>
    public static void InputGrad(
        ReadOnlySpan<float> g, ReadOnlySpan<float> x, Span<float> dx, BatchNormAffine affine, ReadOnlySpan<float> weight,
        double[] sumG, double[] sumGh)
    {
        int c = affine.Channels;
        int n = x.Length / c;
        double[] meanG = sumG.Select(s => s / n).ToArray();
        var scale = new double[c];
        for (int j = 0; j < c; j++)
        {
            scale[j] = weight[j] * (float)affine.InvStd[j];
        }

        fixed (float* pg = g, px = x, pd = dx)
        fixed (double* pScale = scale, pMeanG = meanG, pSumGh = sumGh)
        {
            var rows = new InputGradRows(pg, pd, affine.Rows(px), pScale, pMeanG, pSumGh, n);
            ParallelRanges.Run(n, ParallelRanges.ThreadsFor(3L * x.Length), 1, rows);
        }
    }

    /// <summary>
    /// Per-channel float64 sums of <paramref name="width"/> quantities that <paramref name="rows"/> adds row by row:
    /// each block's partial row of width * c sums, then the partials added in block order.
    /// </summary>
    private static double[] Sums<TRows>(int n, int c, int width, TRows rows)
        where TRows : struct, IRowSums
    {
        int blocks = (n + BlockRows - 1) / BlockRows;
        var sums = new double[width * c];

        // Rented: every BatchNorm of a step would otherwise allocate its partials afresh (tens of MB per step).
        double[] partials = ArrayPool<double>.Shared.Rent(blocks * sums.Length);
        try
        {
            partials.AsSpan(0, blocks * sums.Length).Clear();
            fixed (double* pPartials = partials)
            {
                var work = new SumBlocks<TRows>(rows, n, sums.Length, pPartials);
                ParallelRanges.Run(blocks, ParallelRanges.ThreadsFor(width * (long)n * c), 1, work);
            }

            for (int block = 0; block < blocks; block++)
            {
                for (int j = 0; j < sums.Length; j++)
                {
                    sums[j] += partials[(block * sums.Length) + j];
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(partials);
        }

        return sums;
    }

    /// <summary>Adds one row's quantities into a block's partial sums.</summary>
    private interface IRowSums
    {
        void Add(int row, double* sums);
    }

    private readonly struct SumBlocks<TRows>(TRows rows, int n, int stride, double* partials) : IRangeWork
        where TRows : struct, IRowSums
    {
        public void Run(int start, int end)
        {
            for (int block = start; block < end; block++)
            {
                double* sums = partials + ((long)block * stride);
                for (int r = block * BlockRows, last = Math.Min(n, r + BlockRows); r < last; r++)
                {
                    rows.Add(r, sums);
                }
            }
        }
    }

    private readonly struct ColumnRows(float* x, int c) : IRowSums
    {
        public void Add(int row, double* sums)
        {
            float* values = x + ((long)row * c);
            int j = 0;
            for (int d = Vector<double>.Count; j <= c - Vector<float>.Count; j += Vector<float>.Count)
            {
                Vector.Widen(Vector.Load(values + j), out Vector<double> x0, out Vector<double> x1);
                (Vector.Load(sums + j) + x0).Store(sums + j);
                (Vector.Load(sums + j + d) + x1).Store(sums + j + d);
            }

            for (; j < c; j++)
            {
                sums[j] += values[j];
            }
        }
    }

    private readonly struct DeviationRows(float* x, int c, double* mean) : IRowSums
    {
        public void Add(int row, double* sums)
        {
            float* values = x + ((long)row * c);
            int j = 0;
            for (int d = Vector<double>.Count; j <= c - Vector<float>.Count; j += Vector<float>.Count)
            {
                Vector.Widen(Vector.Load(values + j), out Vector<double> x0, out Vector<double> x1);
                Vector<double> d0 = x0 - Vector.Load(mean + j), d1 = x1 - Vector.Load(mean + j + d);
                (Vector.Load(sums + j) + (d0 * d0)).Store(sums + j);
                (Vector.Load(sums + j + d) + (d1 * d1)).Store(sums + j + d);
            }

            for (; j < c; j++)
            {
                double deviation = values[j] - mean[j];
                sums[j] += deviation * deviation;
            }
        }
    }

    /// <summary>sums[j] += g', sums[c + j] += g' * h with g' the (masked) output gradient.</summary>
    private readonly struct GradientRows(float* g, AffineRows rows) : IRowSums
    {
        public void Add(int row, double* sums)
        {
            int c = rows.Channels;
            long at = (long)row * c;
            int j = 0;
            for (int d = Vector<double>.Count; j <= c - Vector<float>.Count; j += Vector<float>.Count)
            {
                Vector<float> h = rows.Normalised(at, j);
                Vector.Widen(h, out Vector<double> h0, out Vector<double> h1);
                Vector.Widen(rows.Masked(Vector.Load(g + at + j), h, j), out Vector<double> g0, out Vector<double> g1);
                (Vector.Load(sums + j) + g0).Store(sums + j);
                (Vector.Load(sums + j + d) + g1).Store(sums + j + d);
                (Vector.Load(sums + c + j) + (g0 * h0)).Store(sums + c + j);
                (Vector.Load(sums + c + j + d) + (g1 * h1)).Store(sums + c + j + d);
            }

            for (; j < c; j++)
            {
                float h = rows.NormalisedElement(at + j, j);
                float masked = rows.Masked(g[at + j], h, j);
                sums[j] += masked;
                sums[c + j] += masked * (double)h;
            }
        }
    }

    private readonly struct NormalizeRows(AffineRows rows, float* y) : IRangeWork
    {
        public void Run(int start, int end)
        {
            int c = rows.Channels;
            for (int r = start; r < end; r++)
            {
                long at = (long)r * c;
                int j = 0;
                for (; j <= c - Vector<float>.Count; j += Vector<float>.Count)
                {
                    rows.Output(rows.Normalised(at, j), j).Store(y + at + j);
                }

                for (; j < c; j++)
                {
                    y[at + j] = rows.Output(rows.NormalisedElement(at + j, j), j);
                }
            }
        }
    }

    private readonly struct InputGradRows(
        float* g, float* dx, AffineRows rows, double* scale, double* meanG, double* sumGh, int n) : IRangeWork
    {
        public void Run(int start, int end)
        {
            int c = rows.Channels, d = Vector<double>.Count;
            var count = new Vector<double>(n);
            for (int r = start; r < end; r++)
            {
                long at = (long)r * c;
                int j = 0;
                for (; j <= c - Vector<float>.Count; j += Vector<float>.Count)
                {
                    Vector<float> h = rows.Normalised(at, j);
                    Vector.Widen(h, out Vector<double> h0, out Vector<double> h1);
                    Vector.Widen(rows.Masked(Vector.Load(g + at + j), h, j), out Vector<double> g0, out Vector<double> g1);
                    Vector<double> d0 = Vector.Load(scale + j)
                        * (g0 - Vector.Load(meanG + j) - (h0 * Vector.Load(sumGh + j) / count));
                    Vector<double> d1 = Vector.Load(scale + j + d)
                        * (g1 - Vector.Load(meanG + j + d) - (h1 * Vector.Load(sumGh + j + d) / count));
                    Vector.Narrow(d0, d1).Store(dx + at + j);
                }

                for (; j < c; j++)
                {
                    float h = rows.NormalisedElement(at + j, j);
                    double masked = rows.Masked(g[at + j], h, j);
                    dx[at + j] = (float)(scale[j] * (masked - meanG[j] - (h * sumGh[j] / n)));
                }
            }
        }
    }
}
