using System.IO.Compression;
using TorchSparse.Checkpoints;

namespace TorchSparse.Tests.Checkpoints;

/// <summary>TorchCheckpoint.Save writes torch.save zip files that TorchCheckpoint.Load reads back exactly; see
/// <see cref="TorchSavePeerTests"/> for torch itself reading them.</summary>
public sealed class TorchSaveTests : IDisposable
{
    private readonly string tempDir = Directory.CreateTempSubdirectory("torchsave-tests-").FullName;

    public void Dispose() => Directory.Delete(tempDir, recursive: true);

    /// <summary>Every dtype in every shape kind: 0-d, empty, and ranks 1 to 5 (the pickle's tuple opcodes differ by
    /// length), keys in an order that is not sorted.</summary>
    internal static Dictionary<string, Tensor> Samples(DType dtype) => new()
    {
        ["matrix"] = Sample(dtype, 3, 5),
        ["scalar"] = Sample(dtype),
        ["empty"] = Sample(dtype, 0, 4),
        ["empty_inner"] = Sample(dtype, 4, 0, 2),
        ["vector"] = Sample(dtype, 7),
        ["b.kernel"] = Sample(dtype, 2, 3, 1, 2, 2),
        ["a.cube"] = Sample(dtype, 2, 2, 3, 2),
    };

    internal static Tensor Sample(DType dtype, params int[] shape) => SafetensorsTests.Sample(dtype, shape);

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float16)]
    [InlineData(DType.Int32)]
    [InlineData(DType.Int64)]
    public void Every_engine_dtype_round_trips_in_order(DType dtype)
    {
        Dictionary<string, Tensor> tensors = Samples(dtype);
        string path = Path.Combine(tempDir, $"{dtype}.pt");
        TorchCheckpoint.Save(path, tensors);
        AssertSame(tensors, TorchCheckpoint.Load(path));
    }

    [Fact]
    public void A_wrapped_state_dict_with_metadata_loads_as_the_state_dict()
    {
        Dictionary<string, Tensor> tensors = Samples(DType.Float32);
        var options = new TorchSaveOptions
        {
            Wrapper = "model",
            Metadata = new Dictionary<string, object> { ["epoch"] = 7, ["lr"] = 0.5, ["note"] = "x", ["ok"] = true },
        };
        string path = Path.Combine(tempDir, "wrapped.pt");
        TorchCheckpoint.Save(path, tensors, options);
        AssertSame(tensors, TorchCheckpoint.Load(path));

        TorchCheckpoint.Save(path, tensors, options with { Wrapper = "state_dict" });
        AssertSame(tensors, TorchCheckpoint.Load(path));
    }

    [Fact]
    public void An_empty_state_dict_round_trips()
    {
        string path = Path.Combine(tempDir, "empty.pt");
        TorchCheckpoint.Save(path, new Dictionary<string, Tensor>());
        Assert.Empty(TorchCheckpoint.Load(path));
    }

    [Fact]
    public void Records_are_stored_in_one_folder_with_the_pickle_first_and_the_bytes_are_deterministic()
    {
        string first = Path.Combine(tempDir, "first.pt");
        string second = Path.Combine(tempDir, "second.pt");
        TorchCheckpoint.Save(first, Samples(DType.Int64));
        TorchCheckpoint.Save(second, Samples(DType.Int64));
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));

        using ZipArchive zip = ZipFile.OpenRead(first);
        Assert.Equal(
            ["archive/data.pkl", "archive/byteorder", .. Enumerable.Range(0, 7).Select(i => $"archive/data/{i}"),
                "archive/version"],
            zip.Entries.Select(e => e.FullName));
        Assert.All(zip.Entries, e => Assert.Equal(e.Length, e.CompressedLength));
        using var version = new StreamReader(zip.GetEntry("archive/version")!.Open());
        Assert.Equal("3\n", version.ReadToEnd());
    }

    [Fact]
    public void A_re_saved_torch_fixture_loads_with_the_same_tensors()
    {
        // Written by torch itself; bfloat16 and float64 arrive as float32, so the copy holds float32 there.
        IReadOnlyDictionary<string, Tensor> original =
            TorchCheckpoint.Load(Path.Combine(CheckpointFixtureTests.Folder, "dtypes_zip.pt"));
        string path = Path.Combine(tempDir, "copy.pt");
        TorchCheckpoint.Save(path, original);
        AssertSame(original, TorchCheckpoint.Load(path));
    }

    [Fact]
    public void Save_replaces_an_existing_file_and_leaves_no_temporary_file()
    {
        string path = Path.Combine(tempDir, "model.pt");
        File.WriteAllText(path, "old contents");
        TorchCheckpoint.Save(path, new Dictionary<string, Tensor> { ["w"] = Sample(DType.Float32, 2) });

        Assert.Equal([path], Directory.GetFiles(tempDir));
        Assert.Equal([0f, -2.5f], TorchCheckpoint.Load(path)["w"].ToArray<float>());
    }

    [Theory]
    [InlineData(null, "epoch", "needs a wrapper")]
    [InlineData("weights", null, "'weights' is neither")]
    [InlineData("model", "model", "metadata key 'model'")]
    [InlineData("model", "when", "metadata 'when' is a DateTime")]
    public void Invalid_options_are_refused_by_name_and_nothing_is_written(
        string? wrapper, string? metadataKey, string message)
    {
        var options = new TorchSaveOptions
        {
            Wrapper = wrapper,
            Metadata = metadataKey is null ? null : new Dictionary<string, object>
            {
                [metadataKey] = metadataKey == "when" ? DateTime.UnixEpoch : 1,
            },
        };
        string path = Path.Combine(tempDir, "refused.pt");
        var error = Assert.Throws<ArgumentException>(() => TorchCheckpoint.Save(path, Samples(DType.Int32), options));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(tempDir));
    }

    [Fact]
    public void A_null_tensor_is_refused_by_name()
    {
        var tensors = new Dictionary<string, Tensor> { ["w"] = Sample(DType.Float32, 2), ["bad"] = null! };
        var error = Assert.Throws<ArgumentException>(
            () => TorchCheckpoint.Save(Path.Combine(tempDir, "null.pt"), tensors));
        Assert.Contains("'bad'", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(tempDir));
    }

    /// <summary>Same keys in the same order, each with the same dtype, shape and bytes.</summary>
    internal static void AssertSame(
        IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys, actual.Keys);
        foreach ((string name, Tensor tensor) in expected)
        {
            Assert.Equal(tensor.DType, actual[name].DType);
            Assert.Equal(tensor.Shape, actual[name].Shape);
            Assert.Equal(CheckpointFixtureTests.RawBytes(tensor), CheckpointFixtureTests.RawBytes(actual[name]));
        }
    }
}
