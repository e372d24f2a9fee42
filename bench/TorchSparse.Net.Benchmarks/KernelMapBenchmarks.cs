using BenchmarkDotNet.Attributes;
using Perception.Bench;
using TorchSparse.Conv;

namespace TorchSparse.Benchmarks;

/// <summary>
/// Kernel-map construction from scratch on the standard scan, up to the per-offset pair lists every CPU dataflow
/// reads, each iteration on a tensor with an empty cache (made in IterationSetup, outside the measurement) and in
/// fresh memory (no TensorPool scope; `perception bench` times the pooled builds a model pass does).
/// </summary>
public class KernelMapBenchmarks
{
    private static readonly ConvGeometry Submanifold3 = new(3);
    private static readonly ConvGeometry Downsample2 = new(2, stride: 2);
    private StandardWorkload workload = null!;
    private Tensor feats = null!;
    private SparseTensor fresh = null!;

    [GlobalSetup]
    public void Setup()
    {
        workload = StandardWorkload.Create();
        feats = Tensor.Zeros(DType.Float32, workload.VoxelCount, 1);
    }

    [IterationSetup]
    public void FreshCache() => fresh = new SparseTensor(feats, workload.Coords);

    [Benchmark(Baseline = true)]
    public long SubmanifoldK3() => SparseConv.KernelMapFor(fresh, Submanifold3).PairCount;

    [Benchmark]
    public long DownsampleK2S2() => SparseConv.KernelMapFor(fresh, Downsample2).PairCount;
}
