using System.Runtime.InteropServices;
using System.Text.Json;
using TorchSparse.Checkpoints;
using TorchSparse.KernelMaps;
using TorchSparse.Nn;

namespace TorchSparse.Tests.Checkpoints;

/// <summary>
/// spconv weights imported with <see cref="SpconvWeights"/> run in <see cref="Conv3d"/> and reproduce spconv's layer
/// output, computed by dense PyTorch conv3d / conv_transpose3d on the spconv weight itself
/// (tests/fixtures/gen_spconv_fixtures.py).
/// </summary>
public sealed class SpconvImportTests
{
    // The tolerance of the conv oracle tests (spconv's own FP32 atol, plus a relative part).
    private const double AbsoluteTolerance = 1e-4;
    private const double RelativeTolerance = 1e-4;

    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "spconv");

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string file in Directory.GetFiles(Folder, "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file), 2);
            data.Add(Path.GetFileNameWithoutExtension(file), 1);
        }

        return data;
    }

    [Fact]
    public void Every_layer_kind_has_a_fixture() => Assert.Equal(
        ["down_k2_s2", "down_k311_s211", "down_k3_s2_p1", "inv_k3_s2_p1", "subm_k1", "subm_k135", "subm_k3"],
        Directory.GetFiles(Folder, "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Imported_weight_reproduces_spconv(string name, int spconvVersion)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, name + ".json")));
        JsonElement f = document.RootElement;
        string kind = f.GetProperty("kind").GetString()!;
        Int3 kernel = Triple(f, "kernel");
        int cin = f.GetProperty("in_channels").GetInt32();
        int cout = f.GetProperty("out_channels").GetInt32();
        Tensor weight = spconvVersion == 2
            ? SpconvWeights.FromSpconv2(Tensor.From(Array<float>(f, "weight_spconv2"), cout, kernel.X, kernel.Y,
                kernel.Z, cin), name)
            : SpconvWeights.FromSpconv1(Tensor.From(Array<float>(f, "weight_spconv1"), kernel.X, kernel.Y, kernel.Z,
                cin, cout), name);

        var layer = new Conv3d(cin, cout, kernel, Triple(f, "stride"), padding: Triple(f, "padding"),
            transposed: kind == "inverse", rule: DownsampleRule.Spconv);
        layer.LoadParameters(weight, null);
        int[] coords = Array<int>(f, "coords");
        var feats = Tensor.From(Array<float>(f, "feats"), coords.Length / 4, cin);
        SparseTensor input = kind == "inverse"
            ? Coarse(f, cin, coords, feats, layer)
            : new SparseTensor(feats, Tensor.From(coords, coords.Length / 4, 4));
        SparseTensor output = layer.Forward(input);

        Assert.Equal(Array<int>(f, "expected_coords"), output.Coords.ToArray<int>());
        double[] want = Array<double>(f, "expected_feats");
        float[] got = output.Feats.ToArray<float>();
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < got.Length; i++)
        {
            Assert.True(Math.Abs(got[i] - want[i]) <= AbsoluteTolerance + (RelativeTolerance * Math.Abs(want[i])),
                $"{name} (spconv {spconvVersion}.x): row {i / cout}, channel {i % cout}: got {got[i]}, want {want[i]}");
        }
    }

    [Fact]
    public void Readme_flow_loads_a_spconv_safetensors_file_into_a_layer()
    {
        // The README's "Safetensors and spconv weights" snippet, on a file this test writes first.
        string dir = Directory.CreateTempSubdirectory("spconv-readme-").FullName;
        try
        {
            string path = Path.Combine(dir, "model.safetensors");
            Safetensors.Save(path, new Dictionary<string, Tensor>
            {
                ["module.conv1.weight"] = Tensor.Zeros(DType.Float32, 32, 3, 3, 3, 16),
            });
            IReadOnlyDictionary<string, Tensor> sd = TorchCheckpoint.Load(path);
            Tensor w = SpconvWeights.FromSpconv2(sd["conv1.weight"], "conv1.weight");
            var conv1 = new Conv3d(16, 32, kernelSize: 3, stride: 2, padding: 1, rule: DownsampleRule.Spconv);
            conv1.LoadParameters(w, bias: null);
            Assert.Equal([27, 16, 32], conv1.Weight.Shape);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>SparseInverseConv3d runs on the output of the SparseConv3d that shares its indice_key: downsample
    /// the fine targets first, so the inverse finds that map in the cache.</summary>
    private static SparseTensor Coarse(JsonElement f, int cin, int[] coarseCoords, Tensor feats, Conv3d inverse)
    {
        int[] targets = Array<int>(f, "targets");
        var fine = new SparseTensor(Tensor.Zeros(DType.Float32, targets.Length / 4, 1),
            Tensor.From(targets, targets.Length / 4, 4));
        var down = new Conv3d(1, cin, inverse.Geometry.KernelSize, inverse.Geometry.Stride,
            padding: inverse.Geometry.Padding, rule: DownsampleRule.Spconv);
        SparseTensor coarse = down.Forward(fine);
        Assert.Equal(coarseCoords, coarse.Coords.ToArray<int>());
        return coarse.WithFeats(feats);
    }

    private static Int3 Triple(JsonElement f, string field)
    {
        int[] v = f.GetProperty(field).EnumerateArray().Select(e => e.GetInt32()).ToArray();
        return new Int3(v[0], v[1], v[2]);
    }

    private static T[] Array<T>(JsonElement f, string field)
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(f.GetProperty(field).GetBytesFromBase64()).ToArray();
}
