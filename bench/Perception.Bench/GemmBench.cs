using System.Diagnostics;
using TorchSparse.Backends.Cpu;

namespace Perception.Bench;

/// <summary>
/// One GEMM shape timed for our <see cref="Gemm.Multiply"/> and for OpenBLAS <c>cblas_sgemm</c> on the same data,
/// in the same process, with the same thread count. GFLOP/s count 2 * m * n * k flops per call.
/// </summary>
/// <param name="M">Rows of A and C.</param>
/// <param name="N">Columns of B and C.</param>
/// <param name="K">Columns of A, rows of B.</param>
/// <param name="Threads">Threads each library was allowed.</param>
/// <param name="Repetitions">Timed calls of ours after warm-up (OpenBLAS gets as much time).</param>
/// <param name="OursGflops">Ours, from the median call time. B is packed once beforehand and not timed.</param>
/// <param name="OursBestGflops">Ours, from the fastest call: closest to an idle machine when others share it.</param>
/// <param name="OpenBlasGflops">OpenBLAS, from the median call time.</param>
/// <param name="OpenBlasBestGflops">OpenBLAS, from the fastest call.</param>
/// <param name="PackMilliseconds">One-off cost of packing B for our kernel, excluded from our GFLOP/s.</param>
/// <param name="MaxAbsDifference">Largest |ours - OpenBLAS| over C.</param>
/// <param name="OpenBlasCore">OpenBLAS's kernel set; "Haswell" on Zen 5 means OPENBLAS_CORETYPE was set.</param>
public sealed record GemmMeasurement(
    int M,
    int N,
    int K,
    int Threads,
    int Repetitions,
    double OursGflops,
    double OursBestGflops,
    double OpenBlasGflops,
    double OpenBlasBestGflops,
    double PackMilliseconds,
    double MaxAbsDifference,
    string OpenBlasCore)
{
    /// <summary>Ours / OpenBLAS on median times.</summary>
    public double Ratio => OursGflops / OpenBlasGflops;
}

public static unsafe class GemmBench
{
    private const int WarmupCalls = 2;
    private const int Rounds = 3;
    private const int MinCallsPerRound = 2;

    /// <summary>Idle OpenBLAS workers busy-wait this long before sleeping (2^28 cycles), plus margin.</summary>
    private static readonly TimeSpan OpenBlasSpin = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Times C = A * B for A [m x k] and B [k x n] (row-major, seeded values in [-1, 1)) with one thread per
    /// processor, for about <paramref name="budget"/> in all (plus warm-up and pauses), at least six calls each.
    /// OPENBLAS_CORETYPE has to be unset when the process starts (see <see cref="OpenBlas"/>).
    /// </summary>
    public static GemmMeasurement Measure(int m, int n, int k, TimeSpan budget) =>
        Measure(m, n, k, budget, Environment.ProcessorCount);

    /// <summary>As <see cref="Measure(int, int, int, TimeSpan)"/>, with a thread count for both libraries.</summary>
    public static GemmMeasurement Measure(int m, int n, int k, TimeSpan budget, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(m);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        OpenBlas.SetThreads(threads);

        float[] a = SeededPinned((long)m * k, 1);
        float[] b = SeededPinned((long)k * n, 2);
        float[] ours = GC.AllocateArray<float>(checked(m * n), pinned: true);
        float[] reference = GC.AllocateArray<float>(checked(m * n), pinned: true);

        long packStart = Stopwatch.GetTimestamp();
        PackedMatrix packed = PackedMatrix.Pack(b, k, n);
        double packMilliseconds = Stopwatch.GetElapsedTime(packStart).TotalMilliseconds;

        var oursTimes = new List<double>();
        var openBlasTimes = new List<double>();
        fixed (float* pa = a, pb = b, pOurs = ours, pReference = reference)
        {
            float* aPointer = pa;
            float* bPointer = pb;
            float* oursPointer = pOurs;
            float* referencePointer = pReference;
            void RunOurs() => Gemm.Multiply(aPointer, k, packed, oursPointer, n, m, accumulate: false, threads);
            void RunOpenBlas() => OpenBlas.Sgemm(m, n, k, 1f, aPointer, k, bPointer, n, 0f, referencePointer, n);

            for (int i = 0; i < WarmupCalls; i++)
            {
                RunOurs();
                RunOpenBlas();
            }

            // Rounds of one library at a time: OpenBLAS's worker threads keep spinning for about 0.1 s after each
            // call, so calling the two alternately would have them steal a core from every call of ours. Each round
            // starts after that spin has ended, and rounds alternate so load from other processes hits both alike.
            TimeSpan share = budget / (2 * Rounds);
            for (int round = 0; round < Rounds; round++)
            {
                Thread.Sleep(OpenBlasSpin);
                TimeRepeatedly(RunOurs, share, oursTimes);
                TimeRepeatedly(RunOpenBlas, share, openBlasTimes);
            }
        }

        double flops = 2.0 * m * n * k;
        oursTimes.Sort();
        openBlasTimes.Sort();
        return new GemmMeasurement(
            m,
            n,
            k,
            threads,
            oursTimes.Count,
            flops / Median(oursTimes) / 1e9,
            flops / oursTimes[0] / 1e9,
            flops / Median(openBlasTimes) / 1e9,
            flops / openBlasTimes[0] / 1e9,
            packMilliseconds,
            MaxAbsDifference(ours, reference),
            OpenBlas.CoreName);
    }

    /// <summary>Calls <paramref name="call"/> until <paramref name="share"/> is spent (at least a few times).</summary>
    private static void TimeRepeatedly(Action call, TimeSpan share, List<double> seconds)
    {
        var clock = Stopwatch.StartNew();
        int calls = 0;
        while (clock.Elapsed < share || calls < MinCallsPerRound)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            seconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            calls++;
        }
    }

    private static double Median(List<double> sorted)
    {
        int middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static float[] SeededPinned(long length, int seed)
    {
        var rng = new Random(seed);
        float[] values = GC.AllocateUninitializedArray<float>(checked((int)length), pinned: true);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (rng.NextSingle() * 2) - 1;
        }

        return values;
    }

    private static double MaxAbsDifference(float[] x, float[] y)
    {
        double max = 0;
        for (int i = 0; i < x.Length; i++)
        {
            max = Math.Max(max, Math.Abs((double)x[i] - y[i]));
        }

        return max;
    }

    /// <summary>One call of our GEMM (m x k times k x n, B packed once) on seeded data, to time in turns with other
    /// work.</summary>
    public static Action OursCall(int m, int n, int k, int threads)
    {
        float[] a = SeededPinned((long)m * k, 1);
        float[] c = GC.AllocateArray<float>(checked(m * n), pinned: true);
        PackedMatrix packed = PackedMatrix.Pack(SeededPinned((long)k * n, 2), k, n);
        return () =>
        {
            fixed (float* pa = a, pc = c)
            {
                Gemm.Multiply(pa, k, packed, pc, n, m, accumulate: false, threads);
            }
        };
    }
}
