namespace TorchSparse.Backends.Cpu;

/// <summary>How many threads CPU kernels use. Results do not depend on it: kernels split rows, never reductions.</summary>
internal static class CpuParallel
{
    private static int maxThreads = Environment.ProcessorCount;

    public static int MaxThreads
    {
        get => maxThreads;
        set => maxThreads = value > 0 ? value : Environment.ProcessorCount;
    }

    public static ParallelOptions Options => new() { MaxDegreeOfParallelism = maxThreads };
}
