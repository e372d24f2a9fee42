using BenchmarkDotNet.Attributes;
using Perception.Bench;
using TorchSparse.Conv;
using TorchSparse.Nn;

namespace TorchSparse.Benchmarks;

/// <summary>
/// Forward against backward of one 64 -> 64 3x3x3 submanifold layer on the standard scan (about 120k voxels), default
/// dataflow (implicit GEMM). The kernel map and its transpose are built in setup, as in a training step after the
/// first. Forward is the baseline: the input gradient runs the same dataflow over the transposed map, the weight
/// gradient is the gathered A^T B per offset, the bias gradient a column sum. One thread as well as all: on a shared
/// machine the single-thread ratios are the steadier ones.
/// </summary>
public class ConvGradBenchmarks
{
    private const int Channels = 64;

    private SparseTensor input = null!;
    private Conv3d layer = null!;
    private Tensor outputGrad = null!;

    /// <summary><see cref="Device.CpuThreads"/>: 0 for every processor.</summary>
    [Params(0, 1)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Device.CpuThreads = Threads;
        input = StandardWorkload.Create().Features(Channels);
        layer = new Conv3d(Channels, Channels, 3);
        SparseTensor output = layer.Forward(input);
        var random = new Random(2);
        var grad = new float[output.Count * Channels];
        for (int i = 0; i < grad.Length; i++)
        {
            grad[i] = (float)((random.NextDouble() * 2) - 1);
        }

        outputGrad = Tensor.From(grad, output.Count, Channels);
        SparseConvGrad.InputGrad(input, layer.Weight, layer.Geometry, outputGrad);
    }

    [Benchmark(Baseline = true)]
    public SparseTensor Forward() => layer.Forward(input);

    [Benchmark]
    public Tensor InputGrad() => SparseConvGrad.InputGrad(input, layer.Weight, layer.Geometry, outputGrad);

    [Benchmark]
    public Tensor WeightGrad() => SparseConvGrad.WeightGrad(input, layer.Weight, layer.Geometry, outputGrad);

    [Benchmark]
    public Tensor BiasGrad() => SparseConvGrad.BiasGrad(outputGrad);
}
