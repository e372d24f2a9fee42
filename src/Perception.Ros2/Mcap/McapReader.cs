using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Perception.Ros2.Mcap;

/// <summary>
/// Reads an MCAP file without loading it whole: the footer and summary are read first; when the summary indexes chunks,
/// messages are read chunk by chunk through the ChunkIndex records, otherwise by one linear scan of the data section
/// (which also checks the DataEnd CRC). Chunk CRCs and the summary CRC are always checked. Anything malformed or
/// truncated raises <see cref="McapFormatException"/> with the offset; no allocation exceeds the file or chunk limit.
/// </summary>
public sealed partial class McapReader : IDisposable
{
    private const int FooterRecordSize = McapRecordParser.RecordHeaderSize + 20;
    private readonly SafeFileHandle handle;
    private readonly long length;
    private readonly long maxChunkBytes;
    private readonly Dictionary<ushort, McapSchema> schemas = [];
    private readonly Dictionary<ushort, McapChannel> channels = [];
    private readonly List<McapChunkIndex> chunkIndexes = [];
    private readonly List<(ulong Offset, ulong Length)> metadataIndexes = [];

    private readonly string path;

    private McapReader(string path, SafeFileHandle handle, long maxChunkBytes)
    {
        this.path = path;
        this.handle = handle;
        this.maxChunkBytes = maxChunkBytes;
        length = RandomAccess.GetLength(handle);
        int magic = McapMagic.Bytes.Length;
        if (length < (2 * magic) + FooterRecordSize || !Read(0, magic, "magic").AsSpan().SequenceEqual(McapMagic.Bytes))
        {
            throw new McapFormatException(0, "magic", length < (2 * magic) + FooterRecordSize
                ? $"{length} bytes is too short for an MCAP file" : "the file does not start with the MCAP magic");
        }

        (McapOpcode opcode, McapRecordReader header) = ReadRecord(magic, "Header");
        Header = opcode == McapOpcode.Header ? new McapHeader(header.ReadString(), header.ReadString())
            : throw new McapFormatException(magic, "Header", $"the first record is {opcode}, not a Header");
        ReadFooterAndSummary();
    }

    public McapHeader Header { get; }

    /// <summary>From the summary; null when the file has none.</summary>
    public McapStatistics? Statistics { get; private set; }

    /// <summary>True when messages are located through the summary's chunk indexes.</summary>
    public bool IsIndexed => chunkIndexes.Count > 0;

    /// <summary>Schemas by id: all of them after opening an indexed file, those met so far otherwise.</summary>
    public IReadOnlyDictionary<ushort, McapSchema> Schemas => schemas;

    public IReadOnlyDictionary<ushort, McapChannel> Channels => channels;

    /// <param name="path">The .mcap file.</param>
    /// <param name="maxChunkBytes">Refuse chunks that declare more uncompressed bytes than this (default 1 GiB).</param>
    public static McapReader Open(string path, long maxChunkBytes = 1L << 30)
    {
        SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            return new McapReader(path, handle, maxChunkBytes);
        }
        catch (McapFormatException e)
        {
            handle.Dispose();
            throw e.InFile(path);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Every message in file order, with its channel and schema; <paramref name="topic"/> filters.</summary>
    public IEnumerable<McapMessageView> ReadMessages(string? topic = null) => NamingTheFile(Messages(topic));

    /// <summary>The Metadata records (rosbag2 writes one named <c>rosbag2</c>).</summary>
    public IReadOnlyList<McapMetadata> ReadMetadata()
    {
        try
        {
            return Metadata();
        }
        catch (McapFormatException e)
        {
            throw e.InFile(path);
        }
    }

    public void Dispose() => handle.Dispose();

    // Faults surface deep in record parsing, which knows offsets but not the file; the public readers add it.
    private IEnumerable<T> NamingTheFile<T>(IEnumerable<T> items)
    {
        using IEnumerator<T> e = items.GetEnumerator();
        while (true)
        {
            bool more;
            try
            {
                more = e.MoveNext();
            }
            catch (McapFormatException fault)
            {
                throw fault.InFile(path);
            }

            if (!more)
            {
                yield break;
            }

            yield return e.Current;
        }
    }

    private IEnumerable<McapMessageView> Messages(string? topic)
    {
        IEnumerable<(McapOpcode, McapRecordReader)> records = IsIndexed
            ? chunkIndexes.OrderBy(c => c.ChunkStartOffset).SelectMany(ReadIndexedChunk)
            : ScanDataSection(null);
        foreach ((McapOpcode opcode, McapRecordReader content) in records)
        {
            if (opcode == McapOpcode.Message)
            {
                McapMessage message = McapRecordParser.Message(content);
                McapChannel channel = channels.GetValueOrDefault(message.ChannelId)
                    ?? throw content.Error($"message on channel {message.ChannelId}, which no Channel record defines");
                if (topic is null || channel.Topic == topic)
                {
                    yield return new McapMessageView(message, channel, schemas.GetValueOrDefault(channel.SchemaId));
                }
            }
        }
    }

    private List<McapMetadata> Metadata()
    {
        if (metadataIndexes.Count > 0)
        {
            return [.. metadataIndexes.Select(index => McapRecordParser.Metadata(
                ExpectRecord((long)index.Offset, McapOpcode.Metadata, "Metadata")))];
        }

        var found = new List<McapMetadata>();
        foreach (var _ in ScanDataSection(found))
        {
        }

        return found;
    }

    private IEnumerable<(McapOpcode, McapRecordReader)> ReadIndexedChunk(McapChunkIndex index)
    {
        long offset = (long)index.ChunkStartOffset;
        McapRecordReader chunk = ExpectRecord(offset, McapOpcode.Chunk, "Chunk");
        return Inner(offset, McapRecordParser.ChunkRecords(chunk, offset, maxChunkBytes));
    }

    /// <summary>The records of a chunk, registering the schemas and channels met on the way.</summary>
    private IEnumerable<(McapOpcode, McapRecordReader)> Inner(long offset, ReadOnlyMemory<byte> records)
    {
        foreach ((McapOpcode opcode, McapRecordReader content) in McapRecordParser.Records(records, offset, "Chunk"))
        {
            Register(opcode, content);
            yield return (opcode, content);
        }
    }

    private void Register(McapOpcode opcode, McapRecordReader content)
    {
        if (opcode == McapOpcode.Schema)
        {
            McapSchema schema = McapRecordParser.Schema(content);
            schemas[schema.Id] = schema;
        }
        else if (opcode == McapOpcode.Channel)
        {
            McapChannel channel = McapRecordParser.Channel(content);
            channels[channel.Id] = channel;
        }
    }

    private byte[] Read(long offset, long count, string record)
    {
        if (count < 0 || offset < 0 || count > length - offset)
        {
            throw new McapFormatException(offset, record,
                $"needs {count} bytes but the file ends at byte {length} (truncated or a corrupt length)");
        }

        if (count > Array.MaxLength)
        {
            // Only a corrupt length in a file of gigabytes gets here; the allocation would fail outright.
            throw new McapFormatException(offset, record, $"needs {count} bytes at once, more than an array holds");
        }

        var bytes = new byte[count];
        int read = RandomAccess.Read(handle, bytes, offset);
        return read == count ? bytes : throw new McapFormatException(offset, record, "the file is truncated");
    }

    private (McapOpcode Opcode, McapRecordReader Content) ReadRecord(long offset, string record)
    {
        byte[] head = Read(offset, McapRecordParser.RecordHeaderSize, record);
        ulong contentLength = BinaryPrimitives.ReadUInt64LittleEndian(head.AsSpan(1));
        if (contentLength > (ulong)(length - offset - McapRecordParser.RecordHeaderSize))
        {
            throw new McapFormatException(offset, record,
                $"declares {contentLength} bytes but the file ends at byte {length} (truncated or a corrupt length)");
        }

        byte[] content = Read(offset + McapRecordParser.RecordHeaderSize, (long)contentLength, record);
        return ((McapOpcode)head[0], new McapRecordReader(content, offset, record));
    }

    private McapRecordReader ExpectRecord(long offset, McapOpcode expected, string record)
    {
        (McapOpcode opcode, McapRecordReader content) = ReadRecord(offset, record);
        return opcode == expected ? content
            : throw new McapFormatException(offset, record, $"the index points at a {opcode} record, not a {expected}");
    }
}
