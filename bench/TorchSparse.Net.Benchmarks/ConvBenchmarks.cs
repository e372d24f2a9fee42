using BenchmarkDotNet.Attributes;
using Perception.Bench;
using TorchSparse.Conv;
using TorchSparse.Nn;

namespace TorchSparse.Benchmarks;

/// <summary>
/// One 3x3x3 submanifold layer on the standard scan (about 120k points at 0.05 m), per dataflow, with the kernel
/// map already cached (what a network pays per layer). Implicit GEMM is the baseline: the default dataflow.
/// </summary>
public class ConvBenchmarks
{
    private SparseTensor input = null!;
    private Conv3d layer = null!;

    [Params(32, 64, 128)]
    public int Channels { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        input = StandardWorkload.Create().Features(Channels);
        layer = new Conv3d(Channels, Channels, 3);
        layer.Forward(input);
    }

    [Benchmark(Baseline = true)]
    public SparseTensor ImplicitGemm() => Run(new ConvConfig { Dataflow = Dataflow.ImplicitGemm });

    [Benchmark]
    public SparseTensor ImplicitGemmSorted() => Run(new ConvConfig { Dataflow = Dataflow.ImplicitGemm, SortByMask = true });

    [Benchmark]
    public SparseTensor FetchOnDemand() => Run(new ConvConfig { Dataflow = Dataflow.FetchOnDemand });

    [Benchmark]
    public SparseTensor GatherScatter() => Run(new ConvConfig { Dataflow = Dataflow.GatherScatter });

    private SparseTensor Run(ConvConfig config)
    {
        layer.Config = config;
        return layer.Forward(input);
    }
}
