namespace TorchSparse.Backends.Cpu;

/// <summary>A piece of work over the index range [start, end); a struct so the JIT specialises the caller.</summary>
internal interface IRangeWork
{
    void Run(int start, int end);
}

/// <summary>
/// Static partition of [0, count) into contiguous, equal pieces, one per thread. Pieces are fixed by the count and
/// the number of threads alone, and every element is computed by exactly one piece, so results never depend on
/// scheduling.
/// </summary>
internal static class ParallelRanges
{
    /// <summary>Below this many floats touched, an element-wise op stays on the calling thread.</summary>
    public const long MinParallelFloats = 1 << 18;

    /// <summary>Least work per thread once parallel: 512 KiB of floats, far more than a thread wake-up costs.</summary>
    private const long FloatsPerThread = 1 << 17;

    /// <summary>Threads worth using for an op that touches <paramref name="floats"/> floats.</summary>
    public static int PartsFor(long floats) =>
        floats < MinParallelFloats ? 1 : (int)Math.Clamp(floats / FloatsPerThread, 1, Environment.ProcessorCount);

    /// <summary>
    /// Runs <paramref name="work"/> over [0, <paramref name="count"/>) in <paramref name="parts"/> pieces whose
    /// boundaries are multiples of <paramref name="granularity"/>; the calling thread runs one of them.
    /// </summary>
    public static void Run<TWork>(int count, int parts, int granularity, TWork work)
        where TWork : struct, IRangeWork
    {
        int units = (count + granularity - 1) / granularity;
        parts = Math.Min(parts, units);
        if (parts <= 1)
        {
            work.Run(0, count);
            return;
        }

        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
        {
            int start = (int)Math.Min((long)units * part / parts * granularity, count);
            int end = (int)Math.Min((long)units * (part + 1) / parts * granularity, count);
            work.Run(start, end);
        });
    }
}
