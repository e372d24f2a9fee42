using TorchSparse.Conv;
using TorchSparse.Tests.Oracles;

namespace TorchSparse.Tests.Conv;

/// <summary>
/// The engine against PyTorch's dense conv3d / conv_transpose3d (fixtures from tests/fixtures/gen_conv_fixtures.py),
/// for every conv kind and every dataflow. Output coordinates must match exactly, row for row.
/// </summary>
[Trait("Category", "Simd")]
public class ConvAgainstPyTorchTests
{
    // spconv's FP32 test tolerance (atol 1e-4), plus a relative part for large sums over many offsets and channels.
    private const double AbsoluteTolerance = 1e-4;
    private const double RelativeTolerance = 1e-4;

    public static TheoryData<string, string> Cases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (string name in ConvFixture.Names())
            {
                foreach (string config in Configs.Keys)
                {
                    data.Add(name, config);
                }
            }

            return data;
        }
    }

    private static Dictionary<string, ConvConfig> Configs { get; } = new()
    {
        ["implicit-gemm"] = new ConvConfig { Dataflow = Dataflow.ImplicitGemm, TileRows = 64 },
        ["implicit-gemm-sorted"] = new ConvConfig { Dataflow = Dataflow.ImplicitGemm, TileRows = 32, SortByMask = true },
        ["fetch-on-demand"] = new ConvConfig { Dataflow = Dataflow.FetchOnDemand },
        ["gather-scatter"] = new ConvConfig { Dataflow = Dataflow.GatherScatter, GroupEpsilon = 0.5 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Engine_matches_pytorch(string name, string config)
    {
        ConvFixture f = ConvFixture.LoadCase(name);
        SparseTensor output = Run(f, Configs[config]);
        Assert.Equal(f.OutputCoords, output.Coords.ToArray<int>());
        float[] got = output.Feats.ToArray<float>();
        Assert.Equal(f.OutputFeats.Length, got.Length);
        for (int i = 0; i < got.Length; i++)
        {
            double want = f.OutputFeats[i];
            double tolerance = AbsoluteTolerance + (RelativeTolerance * Math.Abs(want));
            Assert.True(Math.Abs(got[i] - want) <= tolerance,
                $"{name} [{config}]: row {i / f.OutChannels}, channel {i % f.OutChannels}: got {got[i]}, want {want}");
        }
    }

    private static SparseTensor Run(ConvFixture f, ConvConfig config)
    {
        Tensor weight = f.KernelVolume == 1 && f.Kind == ConvKind.Submanifold
            ? Tensor.From(f.Weight, f.InChannels, f.OutChannels)
            : Tensor.From(f.Weight, f.KernelVolume, f.InChannels, f.OutChannels);
        Tensor feats = Tensor.From(f.InputFeats, f.InputCount, f.InChannels);
        Tensor coords = Tensor.From(f.InputCoords, f.InputCount, 4);
        switch (f.Kind)
        {
            case ConvKind.Submanifold:
                return SparseConv.Forward(new SparseTensor(feats, coords), weight, null,
                    new ConvGeometry(f.KernelSize, dilation: f.Dilation), config);
            case ConvKind.Downsample:
                return SparseConv.Forward(new SparseTensor(feats, coords), weight, null,
                    new ConvGeometry(f.KernelSize, f.Stride, f.Dilation, f.Padding) { Rule = f.Rule }, config);
            case ConvKind.Inverse:
                {
                    // The map comes from running the matching downsample on the fine coordinates first.
                    var down = new ConvGeometry(f.KernelSize, f.Stride, f.Dilation, f.Padding) { Rule = f.Rule };
                    int fine = f.TargetCoords!.Length / 4;
                    var fineTensor = new SparseTensor(Tensor.Zeros(DType.Float32, fine, 1), Tensor.From(f.TargetCoords, fine, 4));
                    SparseTensor coarse = SparseConv.Forward(fineTensor, Tensor.Zeros(DType.Float32, f.KernelVolume, 1, 1), null, down);
                    Assert.Equal(f.InputCoords, coarse.Coords.ToArray<int>());
                    var input = new SparseTensor(feats, coarse.Coords, coarse.Stride, coarse.Cache);
                    return SparseConv.Forward(input, weight, null, down with { Transposed = true }, config);
                }

            case ConvKind.Generative:
                {
                    var input = new SparseTensor(feats, coords, f.Stride);
                    var up = new ConvGeometry(f.KernelSize, f.Stride, f.Dilation, f.Padding) { Transposed = true, Generative = true };
                    return SparseConv.Forward(input, weight, null, up, config);
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(f), f.Kind, "unknown conv kind");
        }
    }
}
