using System.Numerics;
using TorchSparse.Backends.Cpu;

namespace TorchSparse.Nn;

/// <summary>
/// The row loops of training BatchNorm over [n, c] float32 rows: vectorised with <see cref="Vector{T}"/> (so every
/// width the runtime has, scalar included) and split across threads. Per-channel sums are float64: each block of
/// <see cref="BlockRows"/> rows sums its rows in order, then the blocks are summed in order, so the result does not
/// depend on the thread count. The normalised value h = (float)((x - mean) * invStd) is recomputed from x wherever
/// it is needed rather than stored: the same float64 arithmetic gives the same bits, and no [n, c] buffer per
/// BatchNorm has to stay alive on the tape.
/// </summary>
internal static unsafe class BatchNormKernels
{
    private const int BlockRows = 256;

    /// <summary>A batch's per-channel mean and 1 / sqrt(biased variance + eps), the latter rounded to float32 (as
    /// the reference computes it) and held as float64 for the row loops.</summary>
    public sealed record Statistics(double[] Mean, double[] InvStd);

    /// <summary>sums[j] = sum over rows of x[r, j].</summary>
    public static double[] ColumnSums(ReadOnlySpan<float> x, int c) => Sums(x, c, 1, null, default);

    /// <summary>sums[j] = sum over rows of (x[r, j] - mean[j])^2.</summary>
    public static double[] SquaredDeviations(ReadOnlySpan<float> x, int c, double[] mean) =>
        Sums(x, c, 1, mean, default);

    /// <summary>(sum of g, sum of g * h) per channel, h recomputed from x: the backward's two reductions.</summary>
    public static (double[] SumG, double[] SumGh) GradientSums(
        ReadOnlySpan<float> g, ReadOnlySpan<float> x, int c, Statistics stats)
    {
        double[] sums = Sums(x, c, 2, stats.Mean, g, stats.InvStd);
        return (sums[..c], sums[c..]);
    }

    /// <summary>y = h * w + b in float32 (two roundings, as the reference).</summary>
    public static void Normalize(
        ReadOnlySpan<float> x, Span<float> y, int c, Statistics stats, ReadOnlySpan<float> w, ReadOnlySpan<float> b)
    {
        fixed (float* px = x, py = y, pw = w, pb = b)
        fixed (double* mean = stats.Mean, invStd = stats.InvStd)
        {
            var rows = new NormalizeRows(px, py, c, mean, invStd, pw, pb);
            ParallelRanges.Run(x.Length / c, ParallelRanges.ThreadsFor(2L * x.Length), 1, rows);
        }
    }

    /// <summary>dx = (w * invStd) * ((g - sumG / n) - h * sumGh / n), in float64, rounded to float32.</summary>
    public static void InputGrad(
        ReadOnlySpan<float> g, ReadOnlySpan<float> x, Span<float> dx, int c, Statistics stats, float[] scale,
        double[] sumG, double[] sumGh)
    {
        int n = x.Length / c;
        double[] meanG = sumG.Select(s => s / n).ToArray();
        double[] wide = scale.Select(s => (double)s).ToArray();
        fixed (float* pg = g, px = x, pd = dx)
        fixed (double* mean = stats.Mean, invStd = stats.InvStd, pScale = wide, pMeanG = meanG, pSumGh = sumGh)
        {
            var rows = new InputGradRows(pg, px, pd, c, mean, invStd, pScale, pMeanG, pSumGh, n);
            ParallelRanges.Run(n, ParallelRanges.ThreadsFor(3L * x.Length), 1, rows);
        }
    }

    /// <summary>
    /// Per-channel float64 sums of x (width 1, no mean), of (x - mean)^2 (width 1), or of g and g * h (width 2):
    /// each block's partial row of <paramref name="width"/> * c sums, then the partials added in block order.
    /// </summary>
    private static double[] Sums(
        ReadOnlySpan<float> x, int c, int width, double[]? mean, ReadOnlySpan<float> g, double[]? invStd = null)
    {
        int n = x.Length / c;
        int blocks = (n + BlockRows - 1) / BlockRows;
        var partials = new double[blocks * width * c];
        fixed (float* px = x, pg = g)
        fixed (double* pMean = mean, pInvStd = invStd, pPartials = partials)
        {
            var work = new SumBlocks(px, pg, n, c, width, pMean, pInvStd, pPartials);
            ParallelRanges.Run(blocks, ParallelRanges.ThreadsFor(width * (long)x.Length), 1, work);
        }

        var sums = new double[width * c];
        for (int block = 0; block < blocks; block++)
        {
            for (int j = 0; j < sums.Length; j++)
            {
                sums[j] += partials[(block * sums.Length) + j];
            }
        }

        return sums;
    }

    /// <summary>h for 2 x Vector&lt;double&gt;.Count channels from j on, as float64 (the float32 value widened).</summary>
    private static void Normalised(float* row, double* mean, double* invStd, int j, out Vector<double> h0, out Vector<double> h1)
    {
        Vector.Widen(Vector.Load(row + j), out Vector<double> x0, out Vector<double> x1);
        int d = Vector<double>.Count;
        Vector<float> h = Vector.Narrow(
            (x0 - Vector.Load(mean + j)) * Vector.Load(invStd + j), (x1 - Vector.Load(mean + j + d)) * Vector.Load(invStd + j + d));
        Vector.Widen(h, out h0, out h1);
    }

    private static double NormalisedScalar(float x, double mean, double invStd) => (float)((x - mean) * invStd);

    private readonly struct SumBlocks(
        float* x, float* g, int n, int c, int width, double* mean, double* invStd, double* partials) : IRangeWork
    {
        public void Run(int start, int end)
        {
            int f = Vector<float>.Count, d = Vector<double>.Count;
            for (int block = start; block < end; block++)
            {
                double* acc = partials + ((long)block * width * c);
                for (int r = block * BlockRows, last = Math.Min(n, r + BlockRows); r < last; r++)
                {
                    float* row = x + ((long)r * c);
                    int j = 0;
                    if (width == 2)
                    {
                        float* grow = g + ((long)r * c);
                        for (; j <= c - f; j += f)
                        {
                            Normalised(row, mean, invStd, j, out Vector<double> h0, out Vector<double> h1);
                            Vector.Widen(Vector.Load(grow + j), out Vector<double> g0, out Vector<double> g1);
                            (Vector.Load(acc + j) + g0).Store(acc + j);
                            (Vector.Load(acc + j + d) + g1).Store(acc + j + d);
                            (Vector.Load(acc + c + j) + (g0 * h0)).Store(acc + c + j);
                            (Vector.Load(acc + c + j + d) + (g1 * h1)).Store(acc + c + j + d);
                        }

                        for (; j < c; j++)
                        {
                            acc[j] += grow[j];
                            acc[c + j] += grow[j] * NormalisedScalar(row[j], mean[j], invStd[j]);
                        }
                    }
                    else if (mean is null)
                    {
                        for (; j <= c - f; j += f)
                        {
                            Vector.Widen(Vector.Load(row + j), out Vector<double> x0, out Vector<double> x1);
                            (Vector.Load(acc + j) + x0).Store(acc + j);
                            (Vector.Load(acc + j + d) + x1).Store(acc + j + d);
                        }

                        for (; j < c; j++)
                        {
                            acc[j] += row[j];
                        }
                    }
                    else
                    {
                        for (; j <= c - f; j += f)
                        {
                            Vector.Widen(Vector.Load(row + j), out Vector<double> x0, out Vector<double> x1);
                            Vector<double> d0 = x0 - Vector.Load(mean + j), d1 = x1 - Vector.Load(mean + j + d);
                            (Vector.Load(acc + j) + (d0 * d0)).Store(acc + j);
                            (Vector.Load(acc + j + d) + (d1 * d1)).Store(acc + j + d);
                        }

                        for (; j < c; j++)
                        {
                            double dev = row[j] - mean[j];
                            acc[j] += dev * dev;
                        }
                    }
                }
            }
        }
    }

    private readonly struct NormalizeRows(
        float* x, float* y, int c, double* mean, double* invStd, float* w, float* b) : IRangeWork
    {
        public void Run(int start, int end)
        {
            int f = Vector<float>.Count;
            for (int r = start; r < end; r++)
            {
                float* row = x + ((long)r * c), output = y + ((long)r * c);
                int j = 0;
                for (; j <= c - f; j += f)
                {
                    Normalised(row, mean, invStd, j, out Vector<double> h0, out Vector<double> h1);
                    ((Vector.Narrow(h0, h1) * Vector.Load(w + j)) + Vector.Load(b + j)).Store(output + j);
                }

                for (; j < c; j++)
                {
                    output[j] = ((float)NormalisedScalar(row[j], mean[j], invStd[j]) * w[j]) + b[j];
                }
            }
        }
    }

    private readonly struct InputGradRows(
        float* g, float* x, float* dx, int c, double* mean, double* invStd, double* scale, double* meanG,
        double* sumGh, int n) : IRangeWork
    {
        public void Run(int start, int end)
        {
            int f = Vector<float>.Count, d = Vector<double>.Count;
            var count = new Vector<double>(n);
            for (int r = start; r < end; r++)
            {
                long at = (long)r * c;
                int j = 0;
                for (; j <= c - f; j += f)
                {
                    Normalised(x + at, mean, invStd, j, out Vector<double> h0, out Vector<double> h1);
                    Vector.Widen(Vector.Load(g + at + j), out Vector<double> g0, out Vector<double> g1);
                    Vector<double> d0 = Vector.Load(scale + j) * (g0 - Vector.Load(meanG + j) - (h0 * Vector.Load(sumGh + j) / count));
                    Vector<double> d1 = Vector.Load(scale + j + d)
                        * (g1 - Vector.Load(meanG + j + d) - (h1 * Vector.Load(sumGh + j + d) / count));
                    Vector.Narrow(d0, d1).Store(dx + at + j);
                }

                for (; j < c; j++)
                {
                    double h = NormalisedScalar(x[at + j], mean[j], invStd[j]);
                    dx[at + j] = (float)(scale[j] * (g[at + j] - meanG[j] - (h * sumGh[j] / n)));
                }
            }
        }
    }
}
