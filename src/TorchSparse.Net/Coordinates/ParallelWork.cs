using System.Runtime.ExceptionServices;

namespace TorchSparse.Coordinates;

/// <summary>
/// Splits an index range into contiguous chunks and runs them on the thread pool. Chunk boundaries depend on the
/// thread count, so every caller is written so that its result does not: each output element is produced by exactly
/// one chunk, and per-chunk partial results are combined in chunk order.
/// </summary>
internal static class ParallelWork
{
    // Async-local so a test can pin the thread count of its own work without affecting tests running beside it.
    private static readonly AsyncLocal<int> ThreadLimit = new();

    /// <summary>Threads the coordinate and kernel-map code may use from the current flow.</summary>
    public static int MaxThreads
    {
        get
        {
            int limit = ThreadLimit.Value;
            return limit > 0 ? limit : Environment.ProcessorCount;
        }
    }

    /// <summary>Caps <see cref="MaxThreads"/> for work started from the current async flow until disposed.</summary>
    public static IDisposable LimitThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        int previous = ThreadLimit.Value;
        ThreadLimit.Value = threads;
        return new Restore(previous);
    }

    /// <summary>Chunks for <paramref name="count"/> items of at least <paramref name="minChunk"/> items each; a few
    /// more chunks than threads so an uneven chunk does not leave a thread idle for long.</summary>
    public static int ChunkCount(long count, int minChunk)
    {
        int threads = MaxThreads;
        if (threads == 1 || count < 2L * minChunk)
        {
            return 1;
        }

        return (int)Math.Min(count / minChunk, threads * 4L);
    }

    /// <summary>Start of chunk <paramref name="chunk"/> of <paramref name="chunks"/> equal parts of
    /// [0, count).</summary>
    public static int ChunkStart(int count, int chunks, int chunk) => (int)((long)count * chunk / chunks);

    /// <summary>Runs <paramref name="body"/>(chunk, start, end) for each chunk; inline when there is one
    /// chunk.</summary>
    public static void ForEachChunk(int count, int chunks, Action<int, int, int> body)
    {
        if (chunks <= 1)
        {
            body(0, 0, count);
            return;
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxThreads };
        try
        {
            Parallel.For(
                0, chunks, options, c => body(c, ChunkStart(count, chunks, c), ChunkStart(count, chunks, c + 1)));
        }
        catch (AggregateException e)
        {
            // Callers throw typed input errors from chunks; surface one as itself, not wrapped.
            ExceptionDispatchInfo.Throw(e.Flatten().InnerExceptions[0]);
        }
    }

    /// <summary>Runs <paramref name="body"/>(start, end) over [0, count) in chunks of at least
    /// <paramref name="minChunk"/> items.</summary>
    public static void For(int count, int minChunk, Action<int, int> body) =>
        ForEachChunk(count, ChunkCount(count, minChunk), (_, start, end) => body(start, end));

    private sealed class Restore(int previous) : IDisposable
    {
        public void Dispose() => ThreadLimit.Value = previous;
    }
}
