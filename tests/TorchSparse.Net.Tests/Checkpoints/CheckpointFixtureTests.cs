using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.Json;
using TorchSparse.Checkpoints;

namespace TorchSparse.Tests.Checkpoints;

/// <summary>Real torch.save files (tests/fixtures/gen_checkpoints.py) load and match their JSON sidecars exactly.
/// </summary>
public sealed class CheckpointFixtureTests
{
    internal static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "checkpoints");

    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(Folder, "*.pt").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Fact]
    public void Both_formats_of_every_case_are_present()
    {
        string[] names = Directory.GetFiles(Folder, "*.pt").Select(Path.GetFileNameWithoutExtension).ToArray()!;
        Assert.Equal(10, names.Length);
        Assert.All(names.Where(n => n.EndsWith("_zip", StringComparison.Ordinal)),
            n => Assert.Contains(n[..^"zip".Length] + "legacy", names));
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Fixture_loads_and_matches_torch(string file)
    {
        string path = Path.Combine(Folder, file);
        // The custom-object fixtures carry a pickled config class; they load only when such objects may be skipped.
        var options = new CheckpointOptions
        {
            AllowUnknownObjects = file.StartsWith("custom_object", StringComparison.Ordinal),
        };
        AssertMatchesSidecar(path, TorchCheckpoint.Load(path, options));
    }

    [Theory]
    [InlineData("dtypes_zip.pt")]
    [InlineData("dtypes_legacy.pt")]
    public void Parameter_with_python_state_loads_as_its_tensor(string file)
    {
        // The fixture must really go through torch._utils._rebuild_parameter_with_state (torch >= 2.0's pickling).
        string path = Path.Combine(Folder, file);
        // Protocol 2 GLOBAL: "module\nname\n".
        Assert.True(PickleBytes(path).AsSpan().IndexOf("torch._utils\n_rebuild_parameter_with_state\n"u8) >= 0);
        Assert.Equal([3f, -0.5f], TorchCheckpoint.Load(path)["param_state"].ToArray<float>());
    }

    /// <summary>The loaded tensors are exactly those of <paramref name="path"/>'s .expected.json sidecar.</summary>
    internal static void AssertMatchesSidecar(string path, IReadOnlyDictionary<string, Tensor> loaded)
    {
        string sidecar = Path.ChangeExtension(path, ".expected.json");
        using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(sidecar));
        JsonElement tensors = expected.RootElement.GetProperty("tensors");
        Assert.Equal(
            tensors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal),
            loaded.Keys.Order(StringComparer.Ordinal));
        foreach (JsonProperty entry in tensors.EnumerateObject())
        {
            Tensor actual = loaded[entry.Name];
            int[] shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(shape, actual.Shape);
            Assert.Equal(ExpectedDType(entry.Value.GetProperty("dtype").GetString()), actual.DType);
            Assert.Equal(entry.Value.GetProperty("data").GetBytesFromBase64(), RawBytes(actual));
        }
    }

    [Fact]
    public void Module_prefix_is_stripped_and_wrapper_dicts_are_unwrapped()
    {
        IReadOnlyDictionary<string, Tensor> dp = TorchCheckpoint.Load(Path.Combine(Folder, "module_prefix_zip.pt"));
        Assert.Contains("0.weight", dp.Keys);
        Assert.DoesNotContain(dp.Keys, k => k.StartsWith("module.", StringComparison.Ordinal));

        IReadOnlyDictionary<string, Tensor> nested = TorchCheckpoint.Load(Path.Combine(Folder, "nested_legacy.pt"));
        Assert.Equal(["bias", "weight"], nested.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Views_become_contiguous_copies_with_torch_values()
    {
        IReadOnlyDictionary<string, Tensor> v = TorchCheckpoint.Load(Path.Combine(Folder, "views_zip.pt"));
        float[] big = v["big"].ToArray<float>();
        float[] transposed = v["transposed"].ToArray<float>();
        Assert.Equal([6, 5], v["transposed"].Shape);
        Assert.Equal(big[(2 * 6) + 1], transposed[(1 * 5) + 2]);
        Assert.Equal(big[(2 * 6) + 1], v["slice"].ToArray<float>()[0]);
    }

    private static DType ExpectedDType(string? name) => name switch
    {
        "float32" => DType.Float32,
        "float16" => DType.Float16,
        "int32" => DType.Int32,
        "int64" => DType.Int64,
        _ => throw new InvalidOperationException($"sidecar dtype {name}"),
    };

    private static byte[] PickleBytes(string path)
    {
        if (path.EndsWith("_legacy.pt", StringComparison.Ordinal))
        {
            return File.ReadAllBytes(path);
        }

        using ZipArchive zip = ZipFile.OpenRead(path);
        using Stream stream = zip.Entries
            .Single(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)).Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    internal static byte[] RawBytes(Tensor t) => t.DType switch
    {
        DType.Float32 => MemoryMarshal.AsBytes<float>(t.ToArray<float>()).ToArray(),
        DType.Float16 => MemoryMarshal.AsBytes<Half>(t.ToArray<Half>()).ToArray(),
        DType.Int32 => MemoryMarshal.AsBytes<int>(t.ToArray<int>()).ToArray(),
        _ => MemoryMarshal.AsBytes<long>(t.ToArray<long>()).ToArray(),
    };
}
