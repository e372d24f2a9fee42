using TorchSparse.Conv;
using static TorchSparse.Gpu.Tests.Backend.ParityData;

namespace TorchSparse.Gpu.Tests.Backend;

/// <summary>Sparse convs on OpenCL (generated kernels, every dataflow and tiling) against the CPU backend.</summary>
public sealed class ConvParityTests
{
    public static TheoryData<string, int, int> Configs()
    {
        var data = new TheoryData<string, int, int>();
        foreach (string config in ConfigNames)
        {
            foreach ((int cin, int cout) in new[] { (1, 1), (3, 8), (15, 17), (16, 16), (32, 33), (64, 64) })
            {
                data.Add(config, cin, cout);
            }
        }

        return data;
    }

    private static readonly string[] ConfigNames =
        ["ig-narrow", "ig-medium", "ig-wide", "ig-sorted-1", "ig-sorted-3", "fetch-on-demand", "gather-scatter"];

    internal static ConvConfig Config(string name) => name switch
    {
        "ig-narrow" => new ConvConfig { Tiling = Gpu.GeneratedTilings.Narrow },
        "ig-medium" => new ConvConfig { Tiling = Gpu.GeneratedTilings.Medium },
        "ig-wide" => new ConvConfig { Tiling = Gpu.GeneratedTilings.Wide },
        "ig-sorted-1" => new ConvConfig { SortByMask = true, MaskSplits = 1 },
        "ig-sorted-3" => new ConvConfig { SortByMask = true, MaskSplits = 3 },
        "fetch-on-demand" => new ConvConfig { Dataflow = Dataflow.FetchOnDemand },
        "gather-scatter" => new ConvConfig { Dataflow = Dataflow.GatherScatter, GroupEpsilon = 0.3 },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown config"),
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Submanifold_3x3x3_matches_cpu(string config, int cin, int cout) =>
        Compare(new ConvGeometry(new Int3(3, 3, 3)), Config(config), cin, cout, n: 700, seed: cin * 31 + cout);

    public static TheoryData<string, string> Geometries()
    {
        var data = new TheoryData<string, string>();
        foreach (string geometry in GeometryNames)
        {
            foreach (string config in ConfigNames)
            {
                data.Add(geometry, config);
            }
        }

        return data;
    }

    private static readonly string[] GeometryNames =
        ["k2-s2", "k3-s2", "k3-s1-d2", "k5-s1", "k2x3x1-s1", "k1-s1", "k2-s2-transposed", "k3-s2-generative"];

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Other_geometries_match_cpu(string geometry, string config)
    {
        ConvGeometry g = geometry switch
        {
            "k2-s2" => new ConvGeometry(new Int3(2, 2, 2), new Int3(2, 2, 2)),
            "k3-s2" => new ConvGeometry(new Int3(3, 3, 3), new Int3(2, 2, 2)),
            "k3-s1-d2" => new ConvGeometry(new Int3(3, 3, 3), dilation: new Int3(2, 2, 2)),
            "k5-s1" => new ConvGeometry(new Int3(5, 5, 5)),
            "k2x3x1-s1" => new ConvGeometry(new Int3(2, 3, 1)),
            "k1-s1" => new ConvGeometry(new Int3(1, 1, 1)),
            "k2-s2-transposed" => new ConvGeometry(new Int3(2, 2, 2), new Int3(2, 2, 2)) { Transposed = true },
            "k3-s2-generative" => new ConvGeometry(new Int3(3, 3, 3), new Int3(2, 2, 2))
            {
                Transposed = true, Generative = true,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(geometry), geometry, "unknown geometry"),
        };
        Compare(g, Config(config), cin: 8, cout: 12, n: 400, seed: geometry.Length * 7 + config.Length);
    }

    [Fact]
    public void Empty_input_gives_empty_output()
    {
        var cpuInput = new SparseTensor(Tensor.Zeros(DType.Float32, 0, 4), Tensor.Zeros(DType.Int32, 0, 4));
        var input = new SparseTensor(cpuInput.Feats.CopyTo(Cl), cpuInput.Coords.CopyTo(Cl));
        Tensor weight = Tensor.From(Random(27 * 4 * 5, 1), 27, 4, 5).CopyTo(Cl);
        SparseTensor output = SparseConv.Forward(input, weight, null, new ConvGeometry(new Int3(3, 3, 3)));
        Assert.Equal([0, 5], output.Feats.Shape);
    }

    /// <summary>Forward (with bias + ReLU through the conv's epilogue), and both gradients, on both backends.</summary>
    private static void Compare(ConvGeometry g, ConvConfig config, int cin, int cout, int n, int seed)
    {
        int[] coords = Cloud(n, grid: 12, seed);
        float[] feats = Random((long)n * cin, seed + 1);
        int volume = g.KernelVolume;
        float[] weights = Random((long)volume * cin * cout, seed + 2);
        float[] bias = Random(cout, seed + 3);
        int[] weightShape = volume == 1 ? [cin, cout] : [volume, cin, cout];

        (SparseTensor Input, Tensor Weight, Tensor Bias) Make(Device device)
        {
            // A generative transposed conv upsamples: its input lives at the coarser tensor stride.
            var input = new SparseTensor(
                Tensor.From<float>(feats, [n, cin], device), Tensor.From<int>(coords, [n, 4], device),
                g.Generative ? g.Stride : null);
            return (input, Tensor.From<float>(weights, weightShape, device), Tensor.From<float>(bias, [cout], device));
        }

        var cpu = Make(Device.Cpu);
        var gpu = Make(Cl);
        if (g.Transposed && !g.Generative)
        {
            // An inverse conv reuses its downsampling conv's map: run that first on both devices.
            var down = g with { Transposed = false };
            cpu = (SparseConv.Forward(cpu.Input, Tensor.From(Random((long)volume * cin * cin, seed), volume, cin, cin), null, down),
                cpu.Weight, cpu.Bias);
            gpu = (SparseConv.Forward(gpu.Input, Tensor.From<float>(Random((long)volume * cin * cin, seed), [volume, cin, cin], Cl), null, down),
                gpu.Weight, gpu.Bias);
            Assert.Equal(cpu.Input.Coords.ToArray<int>(), gpu.Input.Coords.ToArray<int>());
            AssertClose(cpu.Input.Feats.ToArray<float>(), gpu.Input.Feats.ToArray<float>(), "downsampling conv");
        }

        SparseTensor expected = SparseConv.Forward(cpu.Input, cpu.Weight, cpu.Bias, g, ConvConfig.Default);
        SparseTensor actual = SparseConv.Forward(gpu.Input, gpu.Weight, gpu.Bias, g, config);
        Assert.Equal(Cl, actual.Device);
        Assert.Equal(expected.Coords.ToArray<int>(), actual.Coords.ToArray<int>());
        AssertClose(expected.Feats.ToArray<float>(), actual.Feats.ToArray<float>(), "forward");

        int rows = expected.Count;
        float[] outputGrad = Random((long)rows * cout, seed + 4);
        ConvGradients expectedGrad = SparseConvGrad.Backward(
            cpu.Input, cpu.Weight, g, Tensor.From<float>(outputGrad, [rows, cout]), withBias: true, ConvConfig.Default);
        ConvGradients actualGrad = SparseConvGrad.Backward(
            gpu.Input, gpu.Weight, g, Tensor.From<float>(outputGrad, [rows, cout], Cl), withBias: true, config);
        AssertClose(expectedGrad.InputGrad.ToArray<float>(), actualGrad.InputGrad.ToArray<float>(), "input gradient");
        AssertClose(expectedGrad.WeightGrad.ToArray<float>(), actualGrad.WeightGrad.ToArray<float>(), "weight gradient");
        AssertClose(expectedGrad.BiasGrad!.ToArray<float>(), actualGrad.BiasGrad!.ToArray<float>(), "bias gradient");
    }
}
