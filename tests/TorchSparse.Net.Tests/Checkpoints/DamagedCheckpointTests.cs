using System.Buffers.Binary;
using System.Runtime.InteropServices;
using TorchSparse.Checkpoints;

namespace TorchSparse.Tests.Checkpoints;

/// <summary>Faults a mutation fuzzer found in zip checkpoints, each built here by hand: refused with a
/// <see cref="CheckpointException"/> naming the file and the record or tensor, not a bare overflow, a zip library
/// message, an out-of-memory or silently wrong data.</summary>
public sealed class DamagedCheckpointTests : IDisposable
{
    private readonly string tempDir = Directory.CreateTempSubdirectory("ckpt-damaged-").FullName;

    public void Dispose() => Directory.Delete(tempDir, recursive: true);

    [Theory]
    [InlineData(new long[] { 2, 2 }, new long[] { long.MaxValue, 1 })]
    [InlineData(new long[] { 1L << 62, 4 }, new long[] { 0, 0 })]
    public void View_past_int64_is_refused_naming_the_key(long[] size, long[] stride)
    {
        string path = Handmade("overflow", [("w", new PickledView("0", StorageKind.Float, 4, 0, size, stride))],
            ("0", new byte[16]));

        CheckpointException error = Refused(path);
        Assert.Contains("tensor 'w'", error.Message, StringComparison.Ordinal);
        Assert.Contains("overflows a 64-bit element index", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Storage_count_near_int64_max_is_refused_naming_the_record()
    {
        const long Numel = long.MaxValue / 2;
        string path = Handmade("numel", [("w", new PickledView("0", StorageKind.Float, Numel, 0, [4], [1]))],
            ("0", new byte[16]));

        CheckpointException error = Refused(path);
        Assert.Contains($"storage record 'archive/data/0' holds 16 bytes, the pickle needs {Numel} elements",
            error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Views_that_repeat_storages_past_the_load_budget_are_refused()
    {
        // One float, expanded twice: each view alone is within the per-tensor cap, together they are not.
        string path = Handmade("expanded",
            [
                ("a", new PickledView("0", StorageKind.Float, 1, 0, [2], [0])),
                ("b", new PickledView("0", StorageKind.Float, 1, 0, [ElementBudget.Repeated], [0])),
            ],
            ("0", new byte[4]));

        CheckpointException error = Refused(path);
        Assert.Contains("tensor 'b'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"past {ElementBudget.Repeated + 1} elements", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Damaged_byte_in_tensor_data_fails_the_crc_check()
    {
        float[] values = [1.25f, -7.5f, 3e9f, 42f];
        string path = Path.Combine(tempDir, "crc.pt");
        TorchCheckpoint.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.From(values, 4) });
        byte[] bytes = File.ReadAllBytes(path);
        bytes[bytes.AsSpan().IndexOf(MemoryMarshal.AsBytes(values.AsSpan())) + 5] ^= 0x10;
        File.WriteAllBytes(path, bytes);

        CheckpointException error = Refused(path);
        Assert.Contains("record 'archive/data/0' is damaged: its CRC-32", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("truncated end record", "zip directory is damaged")]
    [InlineData("unknown compression method", "record 'archive/data.pkl' cannot be read")]
    public void Damaged_zip_structure_is_named(string fault, string fragment)
    {
        string path = Path.Combine(tempDir, "zip.pt");
        TorchCheckpoint.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.From(new float[] { 1, 2 }, 2) });
        byte[] bytes = File.ReadAllBytes(path);
        if (fault == "truncated end record")
        {
            bytes = bytes[..^10];
        }
        else
        {
            // The method field of the first central header, which is data.pkl's.
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(bytes.AsSpan().IndexOf("PK\u0001\u0002"u8) + 10), 99);
        }

        File.WriteAllBytes(path, bytes);

        CheckpointException error = Refused(path);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }

    private static CheckpointException Refused(string path)
    {
        var error = Assert.Throws<CheckpointException>(() => TorchCheckpoint.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        return error;
    }

    /// <summary>A zip checkpoint holding a dict of the given views and the given storage records.</summary>
    private string Handmade(string name, (string Key, PickledView View)[] tensors, params (string Key, byte[] Data)[] records)
    {
        var pickle = new PickleWriter();
        pickle.EmptyDict();
        pickle.Mark();
        foreach ((string key, PickledView view) in tensors)
        {
            pickle.String(key);
            TorchCheckpointWriter.RebuiltTensor(pickle, view);
        }

        pickle.SetItems();
        string path = Path.Combine(tempDir, name + ".pt");
        using FileStream stream = File.Create(path);
        var zip = new StoredZipWriter(stream);
        zip.Add("archive/data.pkl", pickle.Finish());
        foreach ((string key, byte[] data) in records)
        {
            zip.Add("archive/data/" + key, data);
        }

        zip.Finish();
        return path;
    }
}
