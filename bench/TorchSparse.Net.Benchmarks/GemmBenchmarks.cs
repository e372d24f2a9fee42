using System.Globalization;
using BenchmarkDotNet.Attributes;
using Perception.Bench;
using TorchSparse.Backends.Cpu;

namespace TorchSparse.Benchmarks;

/// <summary>
/// fp32 C = A * B: our packed-B GEMM against OpenBLAS <c>cblas_sgemm</c> (the baseline), both on every processor.
/// B is packed once in setup, as the sparse convolution packs its weights once. The shapes are the square
/// compute-bound case and the tall-skinny, memory-bound products of sparse convolution layers.
/// </summary>
public unsafe class GemmBenchmarks
{
    private float[] a = [];
    private float[] b = [];
    private float[] c = [];
    private PackedMatrix packed = PackedMatrix.Pack([], 0, 0);
    private int m;
    private int n;
    private int k;

    /// <summary>m x n x k: C is m x n, the inner dimension is k.</summary>
    [Params("1024x1024x1024", "100000x64x64", "100000x128x128")]
    public string Shape { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        int[] dimensions = [.. Shape.Split('x').Select(d => int.Parse(d, CultureInfo.InvariantCulture))];
        (m, n, k) = (dimensions[0], dimensions[1], dimensions[2]);
        a = Seeded(m * k, 1);
        b = Seeded(k * n, 2);
        c = GC.AllocateArray<float>(m * n, pinned: true);
        packed = PackedMatrix.Pack(b, k, n);
        OpenBlas.SetThreads(Environment.ProcessorCount);
    }

    [Benchmark(Baseline = true)]
    public void OpenBlasSgemm()
    {
        fixed (float* pa = a, pb = b, pc = c)
        {
            OpenBlas.Sgemm(m, n, k, 1f, pa, k, pb, n, 0f, pc, n);
        }
    }

    [Benchmark]
    public void Multiply()
    {
        fixed (float* pa = a, pc = c)
        {
            Gemm.Multiply(pa, k, packed, pc, n, m, accumulate: false);
        }
    }

    private static float[] Seeded(int length, int seed)
    {
        var rng = new Random(seed);
        float[] values = GC.AllocateArray<float>(length, pinned: true);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (rng.NextSingle() * 2) - 1;
        }

        return values;
    }
}
