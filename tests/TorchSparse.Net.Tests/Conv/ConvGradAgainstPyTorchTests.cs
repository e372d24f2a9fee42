using TorchSparse.Conv;
using TorchSparse.Tests.Oracles;

namespace TorchSparse.Tests.Conv;

/// <summary>
/// Conv gradients against PyTorch autograd on the dense conv3d / conv_transpose3d that defines each sparse conv kind
/// (fixtures from tests/fixtures/gen_conv_grad_fixtures.py), with every dataflow for the input gradient.
/// </summary>
[Trait("Category", "Simd")]
public class ConvGradAgainstPyTorchTests
{
    /// <summary>
    /// Tolerance per compute dtype, |got - want| &lt;= abs + rel * |want|. The engine computes gradients in float32
    /// only (float16 storage is converted first, so there is no float16 row). The expected values are float64 from the
    /// same float32 inputs, so the whole difference is float32 rounding of sums of magnitude-1 terms: K * Cout of
    /// them for the input gradient, an offset's pairs for the weight gradient, every output row (up to 1763) for the
    /// bias. Measured worst absolute errors: 4.3e-7 (input), 8.2e-6 (weight), 4.0e-5 (bias, whose sums reach 20).
    /// spconv's fp32 backward tests use atol 1e-4 as well.
    /// </summary>
    private static readonly Dictionary<DType, (double Absolute, double Relative)> Tolerances = new()
    {
        [DType.Float32] = (1e-4, 1e-4),
    };

    private static Dictionary<string, ConvConfig> Configs { get; } = new()
    {
        ["implicit-gemm"] = new ConvConfig { Dataflow = Dataflow.ImplicitGemm, TileRows = 64 },
        ["implicit-gemm-sorted"] = new ConvConfig { Dataflow = Dataflow.ImplicitGemm, TileRows = 32, SortByMask = true },
        ["fetch-on-demand"] = new ConvConfig { Dataflow = Dataflow.FetchOnDemand },
        ["gather-scatter"] = new ConvConfig { Dataflow = Dataflow.GatherScatter, GroupEpsilon = 0.5 },
    };

    public static TheoryData<string, string> Cases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (string name in ConvGradFixture.Names())
            {
                foreach (string config in Configs.Keys)
                {
                    data.Add(name, config);
                }
            }

            return data;
        }
    }

    [Fact]
    public void Every_conv_kind_has_a_fixture()
    {
        string[] names = ConvGradFixture.Names();
        foreach (string prefix in new[] { "sub_k3", "sub_k1", "dow_", "inv_", "gen_" })
        {
            Assert.Contains(names, name => name.StartsWith(prefix, StringComparison.Ordinal));
        }

        Assert.StartsWith("1.13", ConvGradFixture.LoadCase(names[0]).TorchVersion, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradients_match_pytorch_autograd(string name, string config)
    {
        ConvGradFixture f = ConvGradFixture.LoadCase(name);
        (SparseTensor input, Tensor weight, ConvGeometry geometry, SparseTensor output) = f.Forward(Configs[config]);
        Assert.Equal(f.OutputCoords, output.Coords.ToArray<int>());

        Tensor outputGrad = Tensor.From(f.OutputGrad, f.OutputCount, f.OutChannels);
        ConvGradients grads = SparseConvGrad.Backward(input, weight, geometry, outputGrad, withBias: true, Configs[config]);

        Assert.Equal(input.Feats.Shape, grads.InputGrad.Shape);
        Assert.Equal(weight.Shape, grads.WeightGrad.Shape);
        Check($"{name} [{config}] input grad", f.InChannels, f.InputGrad, grads.InputGrad.ToArray<float>());
        Check($"{name} weight grad", f.OutChannels, f.WeightGrad, grads.WeightGrad.ToArray<float>());
        Check($"{name} bias grad", f.OutChannels, f.BiasGrad, grads.BiasGrad!.ToArray<float>());
    }

    private static void Check(string what, int columns, double[] want, float[] got)
    {
        (double absolute, double relative) = Tolerances[DType.Float32];
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < got.Length; i++)
        {
            double tolerance = absolute + (relative * Math.Abs(want[i]));
            Assert.True(Math.Abs(got[i] - want[i]) <= tolerance,
                $"{what}: row {i / columns}, column {i % columns}: got {got[i]}, want {want[i]}");
        }
    }
}
