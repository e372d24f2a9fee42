using Xunit.Abstractions;
using TorchSparse;
using TorchSparse.Checkpoints;
using TorchSparse.Conv;

namespace Pvcnn.Tests;

/// <summary>
/// Each model loads a real torch.save checkpoint and reproduces plain PyTorch's per-point logits on the fixture scan.
/// Tolerance: max |ours - torch| / max |torch| at most 1e-4 (float32 here against a float64 reference over about 30
/// layers), and the argmax identical on at least 99.9 % of points.
/// </summary>
public sealed class ParityTests(ITestOutputHelper output)
{
    private const double RelativeTolerance = 1e-4;
    private const double ArgmaxAgreement = 0.999;

    public static TheoryData<string, string> Cases { get; } = new()
    {
        { "minkunet_cr0p5", "minkunet" },
        { "minkunet_cr0p64", "minkunet" },
        { "minkunet_cr1p0", "minkunet" },
        { "spvcnn_cr1p0", "spvcnn" },
        { "spvnas_subnet", "spvnas" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Logits_match_pytorch(string caseName, string architecture) =>
        AssertMatchesPytorch(caseName, PvcnnModels.Load(ModelFixtures.PathOf(caseName + ".pt"), architecture));

    /// <summary>The same checkpoints run on the OpenCL backend (PoCL in CI): every layer through generated kernels,
    /// the point-voxel operators included, against the same PyTorch logits and tolerances.</summary>
    [Theory]
    [InlineData("minkunet_cr0p5", "minkunet")]
    [InlineData("spvcnn_cr1p0", "spvcnn")]
    [InlineData("spvnas_subnet", "spvnas")]
    public void Logits_match_pytorch_on_opencl(string caseName, string architecture) =>
        AssertMatchesPytorch(caseName, PvcnnModels.Load(ModelFixtures.PathOf(caseName + ".pt"), architecture)
            .To(TorchSparse.Gpu.OpenCl.OpenClDevices.Open()));

    [Theory]
    [InlineData(Dataflow.GatherScatter, false)]
    [InlineData(Dataflow.FetchOnDemand, false)]
    [InlineData(Dataflow.ImplicitGemm, true)]
    public void Every_dataflow_matches_pytorch(Dataflow dataflow, bool sortByMask)
    {
        SegmentationModel model = PvcnnModels.Load(ModelFixtures.PathOf("spvnas_subnet.pt"));
        foreach (TorchSparse.Nn.Conv3d conv in model.ConvLayers)
        {
            conv.Config = new ConvConfig { Dataflow = dataflow, SortByMask = sortByMask };
        }

        AssertMatchesPytorch("spvnas_subnet", model);
    }

    private void AssertMatchesPytorch(string caseName, SegmentationModel model)
    {
        float[] scene = ModelFixtures.Scene();
        float[] expected = ModelFixtures.Logits(caseName);

        SegmentationResult result = new SemanticSegmenter(model).Segment(scene);

        int points = scene.Length / 4;
        int classes = model.Classes;
        Assert.Equal(points * classes, expected.Length);
        Assert.Equal(model.Device, result.VoxelLogits.Device);
        ReadOnlySpan<float> voxelLogits = result.VoxelLogits.ToArray<float>();
        double maxError = 0, maxReference = 0;
        int agree = 0;
        for (int p = 0; p < points; p++)
        {
            int v = result.Voxels.Inverse[p];
            ReadOnlySpan<float> ours = voxelLogits.Slice(v * classes, classes);
            ReadOnlySpan<float> torch = expected.AsSpan(p * classes, classes);
            for (int c = 0; c < classes; c++)
            {
                maxError = Math.Max(maxError, Math.Abs(ours[c] - torch[c]));
                maxReference = Math.Max(maxReference, Math.Abs(torch[c]));
            }

            agree += result.PointClasses[p] == ArgMax(torch) ? 1 : 0;
        }

        output.WriteLine($"{caseName}: max |error| / max |logit| = {maxError / maxReference:G3}, argmax agrees on {agree} of {points}");
        Assert.True(maxReference > 0, "reference logits are all zero");
        Assert.True(maxError / maxReference <= RelativeTolerance,
            $"max |error| {maxError:G4} / max |logit| {maxReference:G4} = {maxError / maxReference:G3} > {RelativeTolerance}");
        Assert.True(agree >= ArgmaxAgreement * points, $"argmax agrees on {agree} of {points} points");
    }

    [Theory]
    [InlineData("minkunet_cr0p5", 0.5)]
    [InlineData("minkunet_cr0p64", 0.64)]
    [InlineData("minkunet_cr1p0", 1.0)]
    public void MinkUNet_built_from_cr_has_the_checkpoint_keys_and_shapes(string caseName, double cr)
    {
        var model = new MinkUNet(cr);
        IReadOnlyDictionary<string, Tensor> sd = TorchCheckpoint.Load(ModelFixtures.PathOf(caseName + ".pt"));

        TorchSparse.Nn.StateDictReport report = model.Load(sd);

        Assert.True(report.IsExactMatch);
        Assert.All(report.Ignored, k => Assert.StartsWith("point_transforms.", k, StringComparison.Ordinal));
        Assert.Equal(21, report.Ignored.Count);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parameter_count_matches_pytorch(string caseName, string architecture)
    {
        SegmentationModel model = PvcnnModels.Load(ModelFixtures.PathOf(caseName + ".pt"), architecture);
        System.Text.Json.JsonElement entry = ModelFixtures.Case(caseName);
        // MinkUNet's unused point transforms are counted by PyTorch's module but not by the network that runs.
        string key = architecture == "minkunet" ? "parameters_without_point_transforms" : "parameters";
        Assert.Equal(entry.GetProperty(key).GetInt64(), model.ParameterCount);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Mac_count_matches_the_reference(string caseName, string architecture)
    {
        SegmentationModel model = PvcnnModels.Load(ModelFixtures.PathOf(caseName + ".pt"), architecture);
        var profile = new ForwardProfile();

        new SemanticSegmenter(model).Segment(ModelFixtures.Scene(), profile);

        Assert.Equal(ModelFixtures.Case(caseName).GetProperty("macs").GetInt64(), profile.Macs);
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int c = 1; c < row.Length; c++)
        {
            if (row[c] > row[best])
            {
                best = c;
            }
        }

        return best;
    }
}
