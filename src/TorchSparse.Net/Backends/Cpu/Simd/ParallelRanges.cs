namespace TorchSparse.Backends.Cpu;

/// <summary>A piece of work over the index range [start, end); a struct so the JIT specialises the caller.</summary>
internal interface IRangeWork
{
    void Run(int start, int end);
}

/// <summary>
/// Partition of [0, count) into contiguous, equal pieces, a few per thread, which the threads take in turn. Pieces
/// are fixed by the count and the thread count alone, and each element is computed by exactly one piece, so results
/// never depend on scheduling. More pieces than threads matters on a busy machine: with one piece per thread, a
/// worker that wakes late leaves the caller to run both halves in turn, halving throughput.
/// </summary>
internal static class ParallelRanges
{
    /// <summary>Below this many floats touched, an element-wise op stays on the calling thread.</summary>
    public const long MinParallelFloats = 1 << 18;

    /// <summary>Least work per thread once parallel: 512 KiB of floats, far more than a thread wake-up costs.</summary>
    private const long FloatsPerThread = 1 << 17;

    /// <summary>Pieces per thread: enough to rebalance around a late worker, few enough to keep pieces large.</summary>
    private const int PiecesPerThread = 4;

    /// <summary>Threads worth using for an op that touches <paramref name="floats"/> floats.</summary>
    public static int ThreadsFor(long floats) =>
        floats < MinParallelFloats ? 1 : (int)Math.Clamp(floats / FloatsPerThread, 1, Environment.ProcessorCount);

    /// <summary>
    /// Runs <paramref name="work"/> over [0, <paramref name="count"/>) on up to <paramref name="threads"/> threads
    /// (the calling thread among them), in pieces whose boundaries are multiples of <paramref name="granularity"/>.
    /// </summary>
    public static void Run<TWork>(int count, int threads, int granularity, TWork work)
        where TWork : struct, IRangeWork
    {
        int units = (count + granularity - 1) / granularity;
        threads = Math.Min(threads, units);
        if (threads <= 1)
        {
            work.Run(0, count);
            return;
        }

        int pieces = (int)Math.Min(units, (long)threads * PiecesPerThread);
        Parallel.For(0, pieces, new ParallelOptions { MaxDegreeOfParallelism = threads }, piece =>
        {
            int start = (int)Math.Min((long)units * piece / pieces * granularity, count);
            int end = (int)Math.Min((long)units * (piece + 1) / pieces * granularity, count);
            work.Run(start, end);
        });
    }
}
