using Perception.Datasets.IO;

namespace Perception.Ros2.Mcap;

/// <summary>
/// Writes an MCAP file to the specification: magic, Header, chunks (compressed records with their uncompressed CRC)
/// each followed by its MessageIndex records, Metadata, DataEnd with the data-section CRC, then a summary (Schema,
/// Channel, Statistics, ChunkIndex, MetadataIndex groups with SummaryOffset records) and the Footer with the summary CRC.
/// Schemas and channels are written into the chunk that first needs them and repeated in the summary.
/// </summary>
public sealed partial class McapWriter : IDisposable
{
    private readonly Stream output;
    private readonly AtomicFile? file;
    private readonly McapWriterOptions options;
    private readonly McapBuffer chunk = new();
    private readonly McapBuffer record = new();
    private readonly List<(ushort Id, string Name, string Encoding, byte[] Data)> schemas = [];
    private readonly List<McapChannel> channels = [];
    private readonly List<McapChunkIndex> chunkIndexes = [];
    private readonly List<(ulong Offset, ulong Length, string Name)> metadataIndexes = [];
    private readonly Dictionary<ushort, List<(ulong LogTime, ulong Offset)>> chunkMessageIndex = [];
    private readonly Dictionary<ushort, ulong> channelMessageCounts = [];
    private readonly Dictionary<ushort, uint> sequences = [];
    private ulong chunkStartTime = ulong.MaxValue, chunkEndTime, startTime = ulong.MaxValue, endTime, messageCount;
    private long position;
    private uint crc = Crc32.Initial;
    private bool finished;

    /// <summary>Writes to a stream (left open); call <see cref="Finish"/> to complete the file.</summary>
    public McapWriter(Stream output, McapWriterOptions? options = null)
    {
        this.output = output;
        this.options = options ?? new McapWriterOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(this.options.ChunkSize, 1, nameof(options));
        Emit(McapMagic.Bytes);
        int at = record.BeginRecord(McapOpcode.Header);
        record.WriteString(this.options.Profile);
        record.WriteString(this.options.Library);
        record.EndRecord(at);
        EmitRecord();
    }

    private McapWriter(AtomicFile file, McapWriterOptions? options)
        : this(file.Stream, options) => this.file = file;

    /// <summary>Writes <paramref name="path"/> atomically: a temporary file renamed over it by
    /// <see cref="Finish"/>; disposing without finishing leaves no file behind.</summary>
    public static McapWriter Create(string path, McapWriterOptions? options = null) => new(AtomicFile.Create(path), options);

    /// <summary>Registers a schema (written into the current chunk) and returns its id (1, 2, ...).</summary>
    public ushort AddSchema(string name, string encoding, ReadOnlySpan<byte> data)
    {
        ThrowIfFinished();
        var id = checked((ushort)(schemas.Count + 1));
        schemas.Add((id, name, encoding, data.ToArray()));
        WriteSchema(chunk, schemas[^1]);
        return id;
    }

    /// <summary>Registers a channel (written into the current chunk) and returns its id (0, 1, ...).</summary>
    public ushort AddChannel(ushort schemaId, string topic, string messageEncoding,
        IReadOnlyDictionary<string, string> metadata)
    {
        ThrowIfFinished();
        if (schemaId != 0 && schemaId > schemas.Count)
        {
            throw new ArgumentException($"Schema {schemaId} was never added.", nameof(schemaId));
        }

        var channel = new McapChannel(checked((ushort)channels.Count), schemaId, topic, messageEncoding, metadata);
        channels.Add(channel);
        WriteChannel(chunk, channel);
        return channel.Id;
    }

    /// <summary>Appends one message to the current chunk; its sequence number counts per channel from 0.</summary>
    public void WriteMessage(ushort channelId, ulong logTime, ulong publishTime, ReadOnlySpan<byte> data)
    {
        ThrowIfFinished();
        if (channelId >= channels.Count)
        {
            throw new ArgumentException($"Channel {channelId} was never added.", nameof(channelId));
        }

        uint sequence = sequences.GetValueOrDefault(channelId);
        sequences[channelId] = sequence + 1;
        if (!chunkMessageIndex.TryGetValue(channelId, out List<(ulong, ulong)>? index))
        {
            chunkMessageIndex[channelId] = index = [];
        }

        index.Add((logTime, (ulong)chunk.Length));
        int at = chunk.BeginRecord(McapOpcode.Message);
        chunk.WriteU16(channelId);
        chunk.WriteU32(sequence);
        chunk.WriteU64(logTime);
        chunk.WriteU64(publishTime);
        chunk.WriteRaw(data);
        chunk.EndRecord(at);

        channelMessageCounts[channelId] = channelMessageCounts.GetValueOrDefault(channelId) + 1;
        messageCount++;
        (chunkStartTime, chunkEndTime) = (Math.Min(chunkStartTime, logTime), Math.Max(chunkEndTime, logTime));
        (startTime, endTime) = (Math.Min(startTime, logTime), Math.Max(endTime, logTime));
        if (chunk.Length >= options.ChunkSize)
        {
            FlushChunk();
        }
    }

    /// <summary>A Metadata record in the data section, indexed in the summary.</summary>
    public void AddMetadata(string name, IReadOnlyDictionary<string, string> metadata)
    {
        ThrowIfFinished();
        FlushChunk();
        int at = record.BeginRecord(McapOpcode.Metadata);
        record.WriteString(name);
        record.WriteStringMap(metadata);
        record.EndRecord(at);
        metadataIndexes.Add(((ulong)position, (ulong)record.Length, name));
        EmitRecord();
    }

    /// <summary>Closes the last chunk, writes DataEnd, the summary, the footer and the closing magic; renames the
    /// temporary file over the target when the writer was made by <see cref="Create"/>.</summary>
    public void Finish()
    {
        ThrowIfFinished();
        FlushChunk();
        int at = record.BeginRecord(McapOpcode.DataEnd);
        record.WriteU32(Crc32.Finish(crc));
        record.EndRecord(at);
        EmitRecord();
        WriteSummaryAndFooter();
        output.Flush();
        finished = true;
        file?.Commit();
    }

    public void Dispose() => file?.Dispose();

    private void ThrowIfFinished() => ObjectDisposedException.ThrowIf(finished, this);

    private void Emit(ReadOnlySpan<byte> bytes)
    {
        output.Write(bytes);
        crc = Crc32.Update(crc, bytes);
        position += bytes.Length;
    }

    private void EmitRecord()
    {
        Emit(record.Span);
        record.Clear();
    }
}
