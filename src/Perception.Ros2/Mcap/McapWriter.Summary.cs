using Perception.Ros2.Compression;

namespace Perception.Ros2.Mcap;

/// <summary>Chunk closing and the summary section of <see cref="McapWriter"/>.</summary>
public sealed partial class McapWriter
{
    private void FlushChunk()
    {
        if (chunk.Length == 0)
        {
            return;
        }

        bool hasMessages = chunkStartTime != ulong.MaxValue;
        (ulong start, ulong end) = hasMessages ? (chunkStartTime, chunkEndTime) : (0UL, 0UL);
        McapCompression compression = options.Compression;
        byte[] compressed = ChunkCodec.Compress(compression, chunk.Span);
        ulong chunkStart = (ulong)position;
        int at = record.BeginRecord(McapOpcode.Chunk);
        record.WriteU64(start);
        record.WriteU64(end);
        record.WriteU64((ulong)chunk.Length);
        record.WriteU32(Crc32.Compute(chunk.Span));
        record.WriteString(ChunkCodec.Name(compression));
        record.WriteU64((ulong)compressed.Length);
        record.WriteRaw(compressed);
        record.EndRecord(at);
        ulong chunkLength = (ulong)record.Length;
        EmitRecord();

        // One MessageIndex per channel with messages in the chunk, offsets into the uncompressed records.
        ulong indexStart = (ulong)position;
        var indexOffsets = new Dictionary<ushort, ulong>();
        foreach ((ushort channelId, List<(ulong LogTime, ulong Offset)> entries) in chunkMessageIndex.OrderBy(p => p.Key))
        {
            indexOffsets[channelId] = (ulong)position;
            at = record.BeginRecord(McapOpcode.MessageIndex);
            record.WriteU16(channelId);
            int array = record.BeginPrefixed();
            foreach ((ulong logTime, ulong offset) in entries)
            {
                record.WriteU64(logTime);
                record.WriteU64(offset);
            }

            record.EndPrefixed(array);
            record.EndRecord(at);
            EmitRecord();
        }

        chunkIndexes.Add(new McapChunkIndex(start, end, chunkStart, chunkLength, indexOffsets,
            (ulong)position - indexStart, ChunkCodec.Name(compression), (ulong)compressed.Length, (ulong)chunk.Length));
        chunk.Clear();
        chunkMessageIndex.Clear();
        chunkStartTime = ulong.MaxValue;
        chunkEndTime = 0;
    }

    private static void WriteSchema(McapBuffer target, (ushort Id, string Name, string Encoding, byte[] Data) schema)
    {
        int at = target.BeginRecord(McapOpcode.Schema);
        target.WriteU16(schema.Id);
        target.WriteString(schema.Name);
        target.WriteString(schema.Encoding);
        target.WriteBytes(schema.Data);
        target.EndRecord(at);
    }

    private static void WriteChannel(McapBuffer target, McapChannel channel)
    {
        int at = target.BeginRecord(McapOpcode.Channel);
        target.WriteU16(channel.Id);
        target.WriteU16(channel.SchemaId);
        target.WriteString(channel.Topic);
        target.WriteString(channel.MessageEncoding);
        target.WriteStringMap(channel.Metadata);
        target.EndRecord(at);
    }

    private void WriteSummaryAndFooter()
    {
        ulong summaryStart = (ulong)position;
        crc = Crc32.Initial; // the summary CRC covers the summary, the summary offsets and the footer's first fields
        var groups = new List<(McapOpcode Opcode, ulong Start, ulong Length)>();
        WriteGroup(McapOpcode.Schema, schemas, (buffer, schema) => WriteSchema(buffer, schema));
        WriteGroup(McapOpcode.Channel, channels, WriteChannel);
        WriteGroup(McapOpcode.Statistics, [0], (buffer, _) => WriteStatistics(buffer));
        WriteGroup(McapOpcode.ChunkIndex, chunkIndexes, WriteChunkIndex);
        WriteGroup(McapOpcode.MetadataIndex, metadataIndexes, (buffer, index) =>
        {
            int at = buffer.BeginRecord(McapOpcode.MetadataIndex);
            buffer.WriteU64(index.Offset);
            buffer.WriteU64(index.Length);
            buffer.WriteString(index.Name);
            buffer.EndRecord(at);
        });

        ulong summaryOffsetStart = (ulong)position;
        foreach ((McapOpcode opcode, ulong start, ulong length) in groups)
        {
            int at = record.BeginRecord(McapOpcode.SummaryOffset);
            record.WriteU8((byte)opcode);
            record.WriteU64(start);
            record.WriteU64(length);
            record.EndRecord(at);
            EmitRecord();
        }

        record.WriteU8((byte)McapOpcode.Footer);
        record.WriteU64(20);
        record.WriteU64(summaryStart);
        record.WriteU64(summaryOffsetStart);
        Emit(record.Span);
        record.Clear();
        record.WriteU32(Crc32.Finish(crc));
        EmitRecord();
        Emit(McapMagic.Bytes);

        void WriteGroup<T>(McapOpcode opcode, IReadOnlyList<T> items, Action<McapBuffer, T> write)
        {
            if (items.Count == 0)
            {
                return;
            }

            ulong start = (ulong)position;
            foreach (T item in items)
            {
                write(record, item);
                EmitRecord();
            }

            groups.Add((opcode, start, (ulong)position - start));
        }
    }

    private void WriteStatistics(McapBuffer target)
    {
        int at = target.BeginRecord(McapOpcode.Statistics);
        target.WriteU64(messageCount);
        target.WriteU16((ushort)schemas.Count);
        target.WriteU32((uint)channels.Count);
        target.WriteU32(0); // attachments
        target.WriteU32((uint)metadataIndexes.Count);
        target.WriteU32((uint)chunkIndexes.Count);
        target.WriteU64(messageCount == 0 ? 0 : startTime);
        target.WriteU64(endTime);
        target.WriteU16U64Map(channelMessageCounts);
        target.EndRecord(at);
    }

    private static void WriteChunkIndex(McapBuffer target, McapChunkIndex index)
    {
        int at = target.BeginRecord(McapOpcode.ChunkIndex);
        target.WriteU64(index.MessageStartTime);
        target.WriteU64(index.MessageEndTime);
        target.WriteU64(index.ChunkStartOffset);
        target.WriteU64(index.ChunkLength);
        target.WriteU16U64Map(index.MessageIndexOffsets);
        target.WriteU64(index.MessageIndexLength);
        target.WriteString(index.Compression);
        target.WriteU64(index.CompressedSize);
        target.WriteU64(index.UncompressedSize);
        target.EndRecord(at);
    }
}
