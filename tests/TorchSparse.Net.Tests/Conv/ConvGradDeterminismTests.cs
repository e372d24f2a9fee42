using TorchSparse.Conv;
using TorchSparse.Tests.Ops;

namespace TorchSparse.Tests.Conv;

/// <summary>
/// Conv gradients on clouds of thousands of voxels: the same bits with one thread and with two, for every conv kind
/// and dataflow; and every dataflow's input gradient, and the weight and bias gradients, against a naive double
/// backward over the forward's kernel map (so many pairs per offset that the weight gradient splits into tasks).
/// </summary>
[Collection(ThreadCountGroup.Name)]
public class ConvGradDeterminismTests
{
    private static readonly Dictionary<string, ConvConfig> Configs = new()
    {
        ["implicit-gemm"] = new ConvConfig { Dataflow = Dataflow.ImplicitGemm },
        ["implicit-gemm-sorted"] = new ConvConfig { Dataflow = Dataflow.ImplicitGemm, SortByMask = true },
        ["fetch-on-demand"] = new ConvConfig { Dataflow = Dataflow.FetchOnDemand },
        ["gather-scatter"] = new ConvConfig { Dataflow = Dataflow.GatherScatter },
    };

    private static readonly string[] Kinds = ["submanifold", "downsample", "inverse", "generative", "pointwise"];

    public static TheoryData<string, string> KindsAndDataflows()
    {
        var data = new TheoryData<string, string>();
        foreach (string kind in Kinds)
        {
            foreach (string config in Configs.Keys)
            {
                data.Add(kind, config);
            }
        }

        return data;
    }

    public static TheoryData<string> AllKinds() => new(Kinds);

    [Theory]
    [Trait("Category", "Simd")]
    [MemberData(nameof(KindsAndDataflows))]
    public void Same_bits_with_one_thread_and_with_two(string kind, string config)
    {
        Case c = Case.Make(kind);
        try
        {
            Device.CpuThreads = 2;
            ConvGradients two = c.Backward(Configs[config]);
            Device.CpuThreads = 1;
            ConvGradients one = c.Backward(Configs[config]);
            Assert.Equal(two.InputGrad.ToArray<float>(), one.InputGrad.ToArray<float>());
            Assert.Equal(two.WeightGrad.ToArray<float>(), one.WeightGrad.ToArray<float>());
            Assert.Equal(two.BiasGrad!.ToArray<float>(), one.BiasGrad!.ToArray<float>());
        }
        finally
        {
            Device.CpuThreads = 0;
        }
    }

    /// <summary>
    /// Tolerance: a float32 sum of terms carries an error of at most about (terms + 1) * 2^-24 * sum |terms| (the
    /// terms of one output here: up to 27 * 31 for the input gradient, up to 20 000 pairs for the weight gradient,
    /// which the engine sums in chains of one range of output rows, about 1000, plus one add per range). The bound
    /// used is far tighter than that worst case: 1e-6 + 2e-6 * sum |terms| for the input and 1e-6 + 2e-5 * sum |terms|
    /// for the weight and bias gradients. Measured: 2.6e-7, 4.9e-8 and 1.4e-8 times sum |terms|; a wrong pair or
    /// offset is far larger.
    /// Dataflows differ only in rounding, so agreeing with the reference within this bound is agreeing with each other.
    /// </summary>
    [Theory]
    [Trait("Category", "Simd")]
    [MemberData(nameof(AllKinds))]
    public void Every_dataflow_matches_a_naive_double_backward(string kind)
    {
        Case c = Case.Make(kind);
        Naive naive = c.NaiveBackward();
        foreach ((string name, ConvConfig config) in Configs)
        {
            ConvGradients grads = c.Backward(config);
            AssertClose($"{kind} [{name}] input grad", naive.InputGrad, naive.InputMagnitude,
                grads.InputGrad.ToArray<float>(), 2e-6);
            AssertClose($"{kind} weight grad", naive.WeightGrad, naive.WeightMagnitude,
                grads.WeightGrad.ToArray<float>(), 2e-5);
            AssertClose($"{kind} bias grad", naive.BiasGrad, naive.BiasMagnitude, grads.BiasGrad!.ToArray<float>(), 2e-5);
        }
    }

    private static void AssertClose(string what, double[] want, double[] magnitude, float[] got, double relative)
    {
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < got.Length; i++)
        {
            double tolerance = 1e-6 + (relative * magnitude[i]);
            Assert.True(Math.Abs(got[i] - want[i]) <= tolerance, $"{what} [{i}]: got {got[i]}, want {want[i]}");
        }
    }

    private sealed record Naive(
        double[] InputGrad, double[] InputMagnitude, double[] WeightGrad, double[] WeightMagnitude, double[] BiasGrad,
        double[] BiasMagnitude);

    /// <summary>One conv whose forward has run (the map is in the input's cache), with an output gradient.</summary>
    private sealed record Case(SparseTensor Input, Tensor Weight, ConvGeometry Geometry, Tensor OutputGrad)
    {
        private const int Cin = 33;
        private const int Cout = 31;

        public static Case Make(string kind)
        {
            var random = new Random(kind.Length);
            int volume = kind switch { "pointwise" => 1, "submanifold" or "generative" => 27, _ => 8 };
            Int3 kernel = kind switch { "pointwise" => Int3.One, "submanifold" or "generative" => new Int3(3, 3, 3), _ => new Int3(2, 2, 2) };
            var stride = new Int3(2, 2, 2);
            SparseTensor input;
            ConvGeometry geometry;
            switch (kind)
            {
                case "submanifold" or "pointwise":
                    input = RandomClouds.Make(1, 20_000, Cin, grid: 40, batches: 2);
                    geometry = new ConvGeometry(kernel);
                    break;
                case "downsample":
                    input = RandomClouds.Make(2, 20_000, Cin, grid: 40, batches: 2);
                    geometry = new ConvGeometry(kernel, stride);
                    break;
                case "inverse":
                    {
                        SparseTensor fine = RandomClouds.Make(3, 20_000, 1, grid: 40, batches: 2);
                        geometry = new ConvGeometry(kernel, stride);
                        SparseTensor coarse = SparseConv.Forward(fine, Tensor.Zeros(DType.Float32, volume, 1, 1), null, geometry);
                        input = new SparseTensor(Tensor.From(RandomClouds.Values(random, coarse.Count * Cin), coarse.Count, Cin),
                            coarse.Coords, coarse.Stride, coarse.Cache);
                        geometry = geometry with { Transposed = true };
                        break;
                    }

                default:
                    {
                        SparseTensor cloud = RandomClouds.Make(4, 2_000, Cin, grid: 20, batches: 2);
                        input = new SparseTensor(cloud.Feats, cloud.Coords, stride);
                        geometry = new ConvGeometry(kernel, stride) { Transposed = true, Generative = true };
                        break;
                    }
            }

            float scale = 1f / MathF.Sqrt(Cin * volume);
            float[] w = RandomClouds.Values(random, volume * Cin * Cout).Select(v => v * scale).ToArray();
            Tensor weight = kind == "pointwise" ? Tensor.From(w, Cin, Cout) : Tensor.From(w, volume, Cin, Cout);
            SparseTensor output = SparseConv.Forward(input, weight, null, geometry);
            Tensor outputGrad = Tensor.From(RandomClouds.Values(random, output.Count * Cout), output.Count, Cout);
            return new Case(input, weight, geometry, outputGrad);
        }

        public ConvGradients Backward(ConvConfig config) =>
            SparseConvGrad.Backward(Input, Weight, Geometry, OutputGrad, withBias: true, config);

        /// <summary>Gradients in double over the forward's map (the identity for pointwise), with sums of |terms|.</summary>
        public Naive NaiveBackward()
        {
            float[] x = Input.Feats.ToArray<float>();
            float[] w = Weight.ToArray<float>();
            float[] g = OutputGrad.ToArray<float>();
            int outputs = OutputGrad.Size(0);
            int volume = Geometry.KernelVolume;
            int[] map = Geometry.IsPointwise
                ? [.. Enumerable.Range(0, outputs)]
                : SparseConv.KernelMapFor(Input, Geometry).OutInMap.ToArray();
            var dx = new double[x.Length];
            var dxMagnitude = new double[x.Length];
            var dw = new double[w.Length];
            var dwMagnitude = new double[w.Length];
            var db = new double[Cout];
            var dbMagnitude = new double[Cout];
            for (int o = 0; o < outputs; o++)
            {
                for (int c = 0; c < Cout; c++)
                {
                    db[c] += g[(o * Cout) + c];
                    dbMagnitude[c] += Math.Abs(g[(o * Cout) + c]);
                }

                for (int k = 0; k < volume; k++)
                {
                    int i = map[(o * volume) + k];
                    if (i < 0)
                    {
                        continue;
                    }

                    for (int q = 0; q < Cin; q++)
                    {
                        for (int c = 0; c < Cout; c++)
                        {
                            double grad = g[(o * Cout) + c];
                            int wi = (((k * Cin) + q) * Cout) + c;
                            double inputTerm = grad * w[wi];
                            dx[(i * Cin) + q] += inputTerm;
                            dxMagnitude[(i * Cin) + q] += Math.Abs(inputTerm);
                            double weightTerm = grad * x[(i * Cin) + q];
                            dw[wi] += weightTerm;
                            dwMagnitude[wi] += Math.Abs(weightTerm);
                        }
                    }
                }
            }

            return new Naive(dx, dxMagnitude, dw, dwMagnitude, db, dbMagnitude);
        }
    }
}
