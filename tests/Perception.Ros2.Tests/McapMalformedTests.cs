using System.Buffers.Binary;
using Perception.Ros2.Compression;
using Perception.Ros2.Mcap;
using Perception.Ros2.Messages;
using Perception.Ros2.Rosbag;

namespace Perception.Ros2.Tests;

/// <summary>Round trips through our own reader, and files damaged in every way the reader must refuse cleanly.</summary>
public sealed class McapMalformedTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("perception-mcap-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData(McapCompression.Zstd)]
    [InlineData(McapCompression.Lz4)]
    [InlineData(McapCompression.None)]
    public void Our_reader_reads_our_files_in_order(McapCompression compression)
    {
        string path = Write(compression);

        using McapReader reader = McapReader.Open(path);
        Assert.True(reader.IsIndexed);
        Assert.Equal(20UL, reader.Statistics!.MessageCount);
        McapMessageView[] messages = [.. reader.ReadMessages("/twist")];
        Assert.Equal(20, messages.Length);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (uint)i), messages.Select(m => m.Message.Sequence));
        Assert.All(messages, m => Assert.Equal(TestMessages.Twist(), RosSerialization.Deserialize<TwistStamped>(m.Message.Data)));
        Assert.Equal("rosbag2", Assert.Single(reader.ReadMetadata()).Name);
    }

    [Fact]
    public void The_writer_leaves_no_file_when_not_finished()
    {
        string path = Path.Combine(folder, "unfinished.mcap");
        using (var writer = new RosbagMcapWriter(path))
        {
            writer.AddTopic<TwistStamped>("/twist", QosProfile.Default);
        }

        Assert.Empty(Directory.GetFiles(folder));
    }

    [Fact]
    public void Every_truncation_is_an_McapFormatException()
    {
        byte[] file = File.ReadAllBytes(Write(McapCompression.Zstd));
        string cut = Path.Combine(folder, "cut.mcap");
        for (int length = 0; length < file.Length; length += 7)
        {
            File.WriteAllBytes(cut, file[..length]);
            Exception? e = Record.Exception(() => ReadAll(cut));
            Assert.True(e is McapFormatException, $"cut at {length}: {e?.GetType().Name ?? "no error"}");
        }
    }

    [Fact]
    public void Every_flipped_byte_is_refused_or_read_never_crashes()
    {
        byte[] file = File.ReadAllBytes(Write(McapCompression.Lz4));
        string damaged = Path.Combine(folder, "flip.mcap");
        int refused = 0;
        for (int offset = 0; offset < file.Length; offset += 3)
        {
            byte[] copy = file.ToArray();
            copy[offset] ^= 0x5A;
            File.WriteAllBytes(damaged, copy);
            Exception? e = Record.Exception(() => ReadAll(damaged));
            Assert.True(e is null or McapFormatException, $"flip at {offset}: {e}");
            refused += e is null ? 0 : 1;
        }

        Assert.True(refused > file.Length / 3 / 2, $"only {refused} of {file.Length / 3} flips were noticed");
    }

    [Fact]
    public void A_bad_chunk_CRC_is_named()
    {
        string path = Write(McapCompression.None);
        byte[] file = File.ReadAllBytes(path);
        int chunk = file.AsSpan(8).IndexOf((byte)McapOpcode.Chunk) + 8;
        file[chunk + 9 + 24] ^= 0xFF; // the uncompressed_crc field
        File.WriteAllBytes(path, file);

        var e = Assert.Throws<McapFormatException>(() => ReadAll(path));
        Assert.Equal(("Chunk", (long)chunk), (e.Record, e.Offset));
        Assert.Contains("CRC", e.Message, StringComparison.Ordinal);
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith($"{path}: MCAP Chunk at byte {chunk}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_zstd_chunk_is_named()
    {
        string path = Write(McapCompression.Zstd);
        byte[] file = File.ReadAllBytes(path);
        int chunk = file.AsSpan(8).IndexOf((byte)McapOpcode.Chunk) + 8;
        file.AsSpan(chunk + 9 + 45, 40).Fill(0xEE); // inside the compressed records
        File.WriteAllBytes(path, file);

        var e = Assert.Throws<McapFormatException>(() => ReadAll(path));
        Assert.Equal("Chunk", e.Record);
    }

    [Fact]
    public void A_huge_uncompressed_size_is_refused_before_allocating()
    {
        string path = Write(McapCompression.Zstd);
        byte[] file = File.ReadAllBytes(path);
        int chunk = file.AsSpan(8).IndexOf((byte)McapOpcode.Chunk) + 8;
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(chunk + 9 + 16), 1UL << 50);
        File.WriteAllBytes(path, file);

        Assert.Contains("limit", Assert.Throws<McapFormatException>(() => ReadAll(path)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(McapCompression.Zstd, 512UL << 20)] // under the reader's 1 GiB limit: only the data can refuse it
    [InlineData(McapCompression.Lz4, 512UL << 20)]
    [InlineData(McapCompression.Zstd, 10UL)]
    [InlineData(McapCompression.Lz4, 10UL)]
    public void A_chunk_whose_data_does_not_match_its_uncompressed_size_allocates_only_what_decompresses(
        McapCompression compression, ulong uncompressedSize)
    {
        string path = Write(compression);
        byte[] file = File.ReadAllBytes(path);
        int chunk = file.AsSpan(8).IndexOf((byte)McapOpcode.Chunk) + 8;
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(chunk + 9 + 16), uncompressedSize);
        File.WriteAllBytes(path, file);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<McapFormatException>(() => ReadAll(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 16 << 20, $"{allocated} bytes allocated to read a {file.Length}-byte file");
        Assert.Equal(("Chunk", (long)chunk), (e.Record, e.Offset));
        Assert.Contains("uncompressed_size", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_record_longer_than_an_array_can_hold_is_refused_not_allocated()
    {
        // A sparse 3 GiB file: magic, Header, one record declaring 2.5 GiB, and far after it the Footer and magic.
        string path = Path.Combine(folder, "huge-record.mcap");
        byte[] start = File.ReadAllBytes(Write(McapCompression.None));
        int header = 8 + 9 + (int)BinaryPrimitives.ReadUInt64LittleEndian(start.AsSpan(9));
        using (FileStream stream = File.Create(path))
        {
            stream.Write(start.AsSpan(0, header));
            Span<byte> record = stackalloc byte[9];
            record[0] = (byte)McapOpcode.Attachment;
            BinaryPrimitives.WriteUInt64LittleEndian(record[1..], 5UL << 29);
            stream.Write(record);
            stream.SetLength(3L << 30);
            stream.Position = stream.Length - 8 - 29;
            stream.Write(start.AsSpan(start.Length - 8 - 29, 9)); // a Footer: opcode and length 20
            stream.Write(new byte[20]); // no summary
            stream.Write(start.AsSpan(start.Length - 8));
        }

        var e = Assert.Throws<McapFormatException>(() => ReadAll(path));
        Assert.Equal(header + 9, e.Offset); // where its content starts
        Assert.Contains("needs 2684354560 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_summary_CRC_is_refused_on_open()
    {
        string path = Write(McapCompression.Zstd);
        byte[] file = File.ReadAllBytes(path);
        file[^12] ^= 1; // summary_crc, just before the closing magic
        File.WriteAllBytes(path, file);

        var e = Assert.Throws<McapFormatException>(() => McapReader.Open(path));
        Assert.Equal("summary", e.Record);
        Assert.StartsWith($"{path}: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_compression_library_is_a_clear_error()
    {
        var e = Assert.Throws<CompressionUnavailableException>(() => NativeCodecLibrary.Require("libzstd.so.99", "libzstd1"));
        Assert.Contains("apt-get install libzstd1", e.Message, StringComparison.Ordinal);
    }

    private static void ReadAll(string path)
    {
        using McapReader reader = McapReader.Open(path);
        foreach (McapMessageView message in reader.ReadMessages())
        {
            _ = message.Message.Data.Length;
        }

        _ = reader.ReadMetadata();
    }

    private string Write(McapCompression compression)
    {
        string path = Path.Combine(folder, $"{compression}.mcap");
        using var writer = new RosbagMcapWriter(path, new McapWriterOptions { Compression = compression, ChunkSize = 500 });
        writer.AddTopic<TwistStamped>("/twist", QosProfile.Default);
        for (int i = 0; i < 20; i++)
        {
            writer.Write("/twist", TestMessages.Twist(), 1_000_000L * (i + 1));
        }

        writer.Finish();
        return path;
    }
}
