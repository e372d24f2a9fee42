using System.Runtime.InteropServices;
using System.Text.Json;
using TorchSparse;
using TorchSparse.Checkpoints;
using TorchSparse.Nn;
using TorchSparse.Tests.Checkpoints;

namespace Pvcnn.Tests;

/// <summary>
/// A model's state dict written with TorchCheckpoint.Save loads back into the same network bit for bit, and torch
/// reads it as exactly the state dict PyTorch's own module saved: same keys, dtypes, shapes and values.
/// </summary>
public sealed class TorchSaveExportTests : IDisposable
{
    /// <summary>Compares sys.argv[1] (ours, loaded with weights_only=True) with sys.argv[2] (torch's), ignoring
    /// torch's keys under the prefix sys.argv[3] (a module's unused ones).</summary>
    private const string Compare = """
        import json, sys, torch
        ours = torch.load(sys.argv[1], weights_only=True)
        theirs = torch.load(sys.argv[2])["model"]
        expected = [k for k in theirs if not (sys.argv[3] and k.startswith(sys.argv[3]))]
        model = ours["model"]
        def same(k):
            a, b = model[k], theirs[k]
            return a.dtype == b.dtype and a.shape == b.shape and a.is_contiguous() and torch.equal(
                a.reshape(-1).view(torch.uint8), b.contiguous().reshape(-1).view(torch.uint8))
        print(json.dumps({"order": list(model) == expected, "missing": [k for k in expected if k not in model],
                          "extra": [k for k in model if k not in theirs], "epoch": ours["epoch"],
                          "differ": [k for k in expected if k in model and not same(k)]}))
        """;

    private readonly string folder = Directory.CreateTempSubdirectory("pvcnn-pt-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("minkunet_cr0p5", "minkunet", "point_transforms.")]
    [InlineData("spvnas_subnet", "spvnas", "")]
    public void Exported_checkpoint_reproduces_the_torch_checkpoint_here_and_in_torch(
        string caseName, string architecture, string unusedPrefix)
    {
        string original = ModelFixtures.PathOf(caseName + ".pt");
        SegmentationModel fromTorch = PvcnnModels.Load(original, architecture);
        string exported = Path.Combine(folder, caseName + ".pt");
        TorchCheckpoint.Save(exported, fromTorch.StateDict(), new TorchSaveOptions
        {
            Wrapper = "model",
            Metadata = new Dictionary<string, object> { ["epoch"] = 3 },
        });

        SegmentationModel reloaded = PvcnnModels.Load(exported, architecture);
        float[] scene = ModelFixtures.Scene();
        Tensor a = new SemanticSegmenter(fromTorch).Segment(scene).VoxelLogits;
        Tensor b = new SemanticSegmenter(reloaded).Segment(scene).VoxelLogits;
        Assert.Equal(a.ToArray<float>(), b.ToArray<float>());

        JsonElement peer = TorchPeer.Run(Compare, exported, original, unusedPrefix);
        Assert.Empty(peer.GetProperty("missing").EnumerateArray());
        Assert.Empty(peer.GetProperty("extra").EnumerateArray());
        Assert.Empty(peer.GetProperty("differ").EnumerateArray());
        Assert.True(peer.GetProperty("order").GetBoolean());
        Assert.Equal(3, peer.GetProperty("epoch").GetInt32());
    }

    [Fact]
    public void A_new_MinkUNet_round_trips_strictly_with_its_counters()
    {
        var model = new MinkUNet(0.5);
        model.Load(Perturbed(model));
        string path = Path.Combine(folder, "minkunet.pt");
        // The README's TorchCheckpoint.Save snippet, into the test's folder.
        TorchCheckpoint.Save(path, model.StateDict(), new TorchSaveOptions
        {
            Wrapper = "model",                                         // torch.load("minkunet.pt")["model"]
            Metadata = new Dictionary<string, object> { ["epoch"] = 12 },
        });

        // Seeded initialisation makes every new MinkUNet alike, so the copy only matches if the load carried it.
        var copy = new MinkUNet(0.5);
        Assert.True(copy.Load(TorchCheckpoint.Load(path)).IsExactMatch);
        IReadOnlyDictionary<string, Tensor> expected = model.StateDict();
        IReadOnlyDictionary<string, Tensor> actual = copy.StateDict();
        Assert.Equal(expected.Keys, actual.Keys);
        Assert.All(expected, pair => Assert.Equal(Describe(pair.Value), Describe(actual[pair.Key])));
        Assert.Equal([], actual["stem.1.num_batches_tracked"].Shape);

        float[] scene = ModelFixtures.Scene();
        Assert.Equal(
            new SemanticSegmenter(model).Segment(scene).VoxelLogits.ToArray<float>(),
            new SemanticSegmenter(copy).Segment(scene).VoxelLogits.ToArray<float>());
    }

    /// <summary>The model's own state with every float moved and every counter set, so nothing equals a new model.
    /// </summary>
    private static Dictionary<string, Tensor> Perturbed(SegmentationModel model)
    {
        var random = new Random(5);
        var sd = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (NamedParameter p in model.Parameters())
        {
            Tensor t = p.Read();
            sd[p.Name] = p.DType == DType.Int64
                ? Tensor.From([random.NextInt64(1, 1000)], [])
                : Tensor.From(t.ToArray<float>().Select(v => v + (float)random.NextDouble()).ToArray(), t.Shape);
        }

        return sd;
    }

    /// <summary>dtype, shape and exact contents (float bits, not rounded values).</summary>
    private static string Describe(Tensor t) => $"{t.DType} [{string.Join(", ", t.Shape)}] " + (t.DType == DType.Int64
        ? string.Join(",", t.ToArray<long>())
        : Convert.ToHexString(MemoryMarshal.AsBytes<float>(t.ToArray<float>())));
}
