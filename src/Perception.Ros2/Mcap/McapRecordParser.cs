using Perception.Ros2.Compression;

namespace Perception.Ros2.Mcap;

/// <summary>Record contents to typed records, and the records inside a block (a chunk's uncompressed records).</summary>
internal static class McapRecordParser
{
    /// <summary>Opcode + u64 length + content.</summary>
    public const int RecordHeaderSize = 9;

    public static McapSchema Schema(McapRecordReader r) => new(r.ReadU16(), r.ReadString(), r.ReadString(), r.ReadBytes());

    public static McapChannel Channel(McapRecordReader r) =>
        new(r.ReadU16(), r.ReadU16(), r.ReadString(), r.ReadString(), r.ReadStringMap());

    public static McapMessage Message(McapRecordReader r) =>
        new(r.ReadU16(), r.ReadU32(), r.ReadU64(), r.ReadU64(), r.ReadRest());

    public static McapMetadata Metadata(McapRecordReader r) => new(r.ReadString(), r.ReadStringMap());

    public static McapStatistics Statistics(McapRecordReader r) => new(r.ReadU64(), r.ReadU16(), r.ReadU32(),
        r.ReadU32(), r.ReadU32(), r.ReadU32(), r.ReadU64(), r.ReadU64(), r.ReadU16U64Map());

    public static McapChunkIndex ChunkIndex(McapRecordReader r) => new(r.ReadU64(), r.ReadU64(), r.ReadU64(),
        r.ReadU64(), r.ReadU16U64Map(), r.ReadU64(), r.ReadString(), r.ReadU64(), r.ReadU64());

    /// <summary>Each record of a block as (opcode, content reader); a record running past the block is an error.
    /// </summary>
    public static IEnumerable<(McapOpcode Opcode, McapRecordReader Content)> Records(ReadOnlyMemory<byte> block,
        long fileOffset, string where)
    {
        int position = 0;
        while (position < block.Length)
        {
            if (block.Length - position < RecordHeaderSize)
            {
                throw new McapFormatException(fileOffset, where,
                    $"{block.Length - position} stray bytes at record offset {position}, too short for a record");
            }

            var opcode = (McapOpcode)block.Span[position];
            ulong length = BitConverter.ToUInt64(block.Span.Slice(position + 1, 8));
            int start = position + RecordHeaderSize;
            if (length > (ulong)(block.Length - start))
            {
                throw new McapFormatException(fileOffset, where,
                    $"record 0x{(byte)opcode:x2} at offset {position} declares {length} bytes; only {block.Length - start} remain");
            }

            position = start + (int)length;
            yield return (opcode, new McapRecordReader(block.Slice(start, (int)length), fileOffset, $"{opcode} in {where}"));
        }
    }

    /// <summary>A Chunk record's uncompressed records, after checking the size bound, decompressing and the CRC.</summary>
    public static ReadOnlyMemory<byte> ChunkRecords(McapRecordReader r, long fileOffset, long maxChunkBytes)
    {
        r.ReadU64(); // message_start_time
        r.ReadU64(); // message_end_time
        ulong uncompressedSize = r.ReadU64();
        uint expectedCrc = r.ReadU32();
        string compressionName = r.ReadString();
        ReadOnlyMemory<byte> compressed = r.ReadLongBytes();
        McapCompression compression = ChunkCodec.Parse(compressionName)
            ?? throw new McapFormatException(fileOffset, "Chunk", $"unsupported compression '{compressionName}'");
        if (uncompressedSize > (ulong)Math.Min(maxChunkBytes, Array.MaxLength))
        {
            throw new McapFormatException(fileOffset, "Chunk",
                $"uncompressed_size {uncompressedSize} is over the reader's limit of {maxChunkBytes} bytes");
        }

        ReadOnlyMemory<byte> result = compressed;
        if (compression == McapCompression.None)
        {
            if ((ulong)compressed.Length != uncompressedSize)
            {
                throw new McapFormatException(fileOffset, "Chunk",
                    $"uncompressed chunk holds {compressed.Length} bytes; its uncompressed_size is {uncompressedSize}");
            }
        }
        else
        {
            try
            {
                result = ChunkCodec.Decompress(compression, compressed.Span, (int)uncompressedSize);
            }
            catch (InvalidDataException e)
            {
                throw new McapFormatException(fileOffset, "Chunk", $"corrupt {compressionName} data: {e.Message}", e);
            }
        }

        uint actualCrc = Crc32.Compute(result.Span);
        if (expectedCrc != 0 && actualCrc != expectedCrc)
        {
            throw new McapFormatException(fileOffset, "Chunk",
                $"uncompressed CRC is {actualCrc:x8} but the record says {expectedCrc:x8}");
        }

        return result;
    }
}
