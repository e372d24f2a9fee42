using System.Buffers.Binary;
using System.Text.Json;
using TorchSparse.Checkpoints;

namespace TorchSparse.Tests.Checkpoints;

/// <summary>
/// safetensors files written by the spec-following writer in tests/fixtures/gen_checkpoints.py load and match their
/// sidecars; the C# writer reproduces that writer's bytes and round-trips every engine dtype.
/// </summary>
public sealed class SafetensorsTests : IDisposable
{
    private readonly string tempDir = Directory.CreateTempSubdirectory("safetensors-tests-").FullName;

    public void Dispose() => Directory.Delete(tempDir, recursive: true);

    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(CheckpointFixtureTests.Folder, "*.safetensors")
            .Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Fact]
    public void Every_fixture_case_is_present() => Assert.Equal(
        ["st_dtypes.safetensors", "st_engine_dtypes.safetensors", "st_module_prefix.safetensors"],
        Directory.GetFiles(CheckpointFixtureTests.Folder, "*.safetensors").Select(Path.GetFileName)
            .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Fixture_loads_through_torch_checkpoint_and_matches_its_sidecar(string file)
    {
        string path = Path.Combine(CheckpointFixtureTests.Folder, file);
        CheckpointFixtureTests.AssertMatchesSidecar(path, TorchCheckpoint.Load(path));

        using JsonDocument sidecar = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(path, ".expected.json")));
        Dictionary<string, string> expected = sidecar.RootElement.TryGetProperty("metadata", out JsonElement m)
            ? m.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)
            : [];
        Assert.Equal(Sorted(expected), Sorted(Safetensors.ReadMetadata(path)));
    }

    [Fact]
    public void Saving_the_python_fixture_again_gives_the_same_bytes()
    {
        // The Python writer follows the format's specification independently; byte equality means the C# writer's
        // header, ordering, padding and data agree with it, and that Python's reader (which checked the fixture)
        // accepts what C# writes.
        string fixture = Path.Combine(CheckpointFixtureTests.Folder, "st_engine_dtypes.safetensors");
        string copy = Path.Combine(tempDir, "copy.safetensors");
        Safetensors.Save(copy, TorchCheckpoint.Load(fixture), Safetensors.ReadMetadata(fixture));
        Assert.Equal(File.ReadAllBytes(fixture), File.ReadAllBytes(copy));
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float16)]
    [InlineData(DType.Int32)]
    [InlineData(DType.Int64)]
    public void Every_engine_dtype_round_trips(DType dtype)
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["matrix"] = Sample(dtype, 3, 5),
            ["scalar"] = Sample(dtype),
            ["empty"] = Sample(dtype, 0, 4),
            ["vector"] = Sample(dtype, 7),
        };
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "h\u00e9 \"quoted\"" };
        string path = Path.Combine(tempDir, $"{dtype}.safetensors");
        Safetensors.Save(path, tensors, metadata);

        IReadOnlyDictionary<string, Tensor> loaded = TorchCheckpoint.Load(path);
        Assert.Equal(tensors.Keys.Order(), loaded.Keys.Order());
        foreach ((string name, Tensor tensor) in tensors)
        {
            Assert.Equal(dtype, loaded[name].DType);
            Assert.Equal(tensor.Shape, loaded[name].Shape);
            Assert.Equal(CheckpointFixtureTests.RawBytes(tensor), CheckpointFixtureTests.RawBytes(loaded[name]));
        }

        Assert.Equal(Sorted(metadata), Sorted(Safetensors.ReadMetadata(path)));
    }

    [Fact]
    public void Header_is_padded_to_eight_bytes_and_tensors_are_aligned_to_their_item_size()
    {
        string path = Path.Combine(tempDir, "aligned.safetensors");
        Safetensors.Save(path, new Dictionary<string, Tensor>
        {
            ["a"] = Sample(DType.Float16, 3),
            ["b"] = Sample(DType.Int64, 2),
            ["c"] = Sample(DType.Float32, 1),
        });

        byte[] bytes = File.ReadAllBytes(path);
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        Assert.Equal(0, headerLength % 8);
        using JsonDocument header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        // Descending item size: the int64 first, then float32, then float16.
        Assert.Equal(["b", "c", "a"], header.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal([0L, 16, 20], header.RootElement.EnumerateObject()
            .Select(p => p.Value.GetProperty("data_offsets")[0].GetInt64()));
    }

    [Fact]
    public void Save_replaces_an_existing_file_and_leaves_no_temporary_file()
    {
        string path = Path.Combine(tempDir, "model.safetensors");
        File.WriteAllText(path, "old contents");
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["w"] = Sample(DType.Float32, 2) });

        Assert.Equal([path], Directory.GetFiles(tempDir));
        Assert.Equal([0f, -2.5f], TorchCheckpoint.Load(path)["w"].ToArray<float>());
    }

    [Fact]
    public void The_reserved_metadata_name_cannot_name_a_tensor_and_nothing_is_written()
    {
        string path = Path.Combine(tempDir, "reserved.safetensors");
        var error = Assert.Throws<ArgumentException>(() => Safetensors.Save(
            path, new Dictionary<string, Tensor> { ["__metadata__"] = Sample(DType.Float32, 1) }));
        Assert.Contains("__metadata__", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(tempDir));
    }

    [Fact]
    public void The_format_is_told_by_content_not_by_file_name()
    {
        string asPt = Path.Combine(tempDir, "renamed.pt");
        File.Copy(Path.Combine(CheckpointFixtureTests.Folder, "st_module_prefix.safetensors"), asPt);
        Assert.Contains("bn.running_var", TorchCheckpoint.Load(asPt).Keys);

        string asSafetensors = Path.Combine(tempDir, "renamed.safetensors");
        File.Copy(Path.Combine(CheckpointFixtureTests.Folder, "nested_zip.pt"), asSafetensors);
        Assert.Equal(["bias", "weight"], TorchCheckpoint.Load(asSafetensors).Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_truncation_gives_a_checkpoint_exception_naming_the_file()
    {
        byte[] full = File.ReadAllBytes(Path.Combine(CheckpointFixtureTests.Folder, "st_dtypes.safetensors"));
        string path = Path.Combine(tempDir, "truncated.safetensors");
        for (int length = 0; length < full.Length; length++)
        {
            File.WriteAllBytes(path, full[..length]);
            var error = Assert.Throws<CheckpointException>(() => TorchCheckpoint.Load(path));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Flipped_bytes_either_load_or_give_a_checkpoint_exception()
    {
        byte[] full = File.ReadAllBytes(Path.Combine(CheckpointFixtureTests.Folder, "st_dtypes.safetensors"));
        string path = Path.Combine(tempDir, "flipped.safetensors");
        var random = new Random(4321);
        for (int trial = 0; trial < 400; trial++)
        {
            byte[] copy = (byte[])full.Clone();
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
            File.WriteAllBytes(path, copy);
            try
            {
                TorchCheckpoint.Load(path);
            }
            catch (CheckpointException error)
            {
                Assert.Contains(path, error.Message, StringComparison.Ordinal);
            }
        }
    }

    private static KeyValuePair<string, string>[] Sorted(IEnumerable<KeyValuePair<string, string>> pairs) =>
        pairs.OrderBy(pair => pair.Key, StringComparer.Ordinal).ToArray();

    internal static Tensor Sample(DType dtype, params int[] shape)
    {
        int count = shape.Aggregate(1, (a, b) => a * b);
        float[] values = Enumerable.Range(0, count).Select(i => (i * 1.5f) - (i % 3 * 4f)).ToArray();
        return dtype switch
        {
            DType.Float32 => Tensor.From(values, shape),
            DType.Float16 => Tensor.From(values.Select(v => (Half)v).ToArray(), shape),
            DType.Int32 => Tensor.From(values.Select(v => (int)(v * 1000)).ToArray(), shape),
            _ => Tensor.From(values.Select(v => (long)(v * 1e12)).ToArray(), shape),
        };
    }
}
