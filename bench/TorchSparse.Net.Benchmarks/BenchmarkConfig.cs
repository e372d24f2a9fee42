using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;

namespace TorchSparse.Benchmarks;

/// <summary>The default job plus allocation counts for every benchmark, so no benchmark class repeats it.</summary>
public sealed class BenchmarkConfig : ManualConfig
{
    public BenchmarkConfig()
    {
        Add(DefaultConfig.Instance);
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}
