using System.Buffers.Binary;

namespace Perception.Ros2.Mcap;

/// <summary>The footer and summary, and the linear scan of the data section, of <see cref="McapReader"/>.</summary>
public sealed partial class McapReader
{
    private void ReadFooterAndSummary()
    {
        int magic = McapMagic.Bytes.Length;
        long footerOffset = length - magic - FooterRecordSize;
        if (!Read(length - magic, magic, "closing magic").AsSpan().SequenceEqual(McapMagic.Bytes))
        {
            throw new McapFormatException(length - magic, "closing magic",
                "the file does not end with the MCAP magic: it is truncated or its writer did not finish");
        }

        byte[] footer = Read(footerOffset, FooterRecordSize, "Footer");
        if (footer[0] != (byte)McapOpcode.Footer || BinaryPrimitives.ReadUInt64LittleEndian(footer.AsSpan(1)) != 20)
        {
            throw new McapFormatException(footerOffset, "Footer", "no 20-byte Footer record before the closing magic");
        }

        ulong summaryStart = BinaryPrimitives.ReadUInt64LittleEndian(footer.AsSpan(9));
        uint summaryCrc = BinaryPrimitives.ReadUInt32LittleEndian(footer.AsSpan(25));
        if (summaryStart == 0)
        {
            return; // no summary: messages come from a linear scan
        }

        if (summaryStart < (ulong)magic || summaryStart > (ulong)footerOffset)
        {
            throw new McapFormatException(footerOffset, "Footer", $"summary_start {summaryStart} is outside the file");
        }

        byte[] summary = Read((long)summaryStart, footerOffset - (long)summaryStart, "summary");
        uint crc = Crc32.Finish(Crc32.Update(Crc32.Update(Crc32.Initial, summary), footer.AsSpan(0, 25)));
        if (summaryCrc != 0 && crc != summaryCrc)
        {
            throw new McapFormatException((long)summaryStart, "summary",
                $"CRC is {crc:x8} but the footer says {summaryCrc:x8}");
        }

        foreach ((McapOpcode opcode, McapRecordReader content) in
                 McapRecordParser.Records(summary, (long)summaryStart, "summary"))
        {
            switch (opcode)
            {
                case McapOpcode.Statistics:
                    Statistics = McapRecordParser.Statistics(content);
                    break;
                case McapOpcode.ChunkIndex:
                    chunkIndexes.Add(McapRecordParser.ChunkIndex(content));
                    break;
                case McapOpcode.MetadataIndex:
                    metadataIndexes.Add((content.ReadU64(), content.ReadU64()));
                    break;
                default:
                    Register(opcode, content);
                    break;
            }
        }
    }

    /// <summary>
    /// Every record of the data section in order (chunks opened), up to DataEnd, whose CRC of all bytes before it is
    /// checked. Metadata records go to <paramref name="metadata"/> when given.
    /// </summary>
    private IEnumerable<(McapOpcode, McapRecordReader)> ScanDataSection(List<McapMetadata>? metadata)
    {
        long offset = McapMagic.Bytes.Length;
        uint crc = Crc32.Update(Crc32.Initial, McapMagic.Bytes);
        byte[] head = new byte[McapRecordParser.RecordHeaderSize];
        while (true)
        {
            (McapOpcode opcode, McapRecordReader content) = ReadRecord(offset, "data section record");
            long recordOffset = offset;
            offset += McapRecordParser.RecordHeaderSize + content.Remaining;
            if (opcode == McapOpcode.DataEnd)
            {
                uint expected = content.ReadU32();
                uint actual = Crc32.Finish(crc);
                if (expected != 0 && expected != actual)
                {
                    throw new McapFormatException(recordOffset, "DataEnd",
                        $"data section CRC is {actual:x8} but the record says {expected:x8}");
                }

                yield break;
            }

            if (opcode == McapOpcode.Footer)
            {
                yield break; // a file without DataEnd (allowed by old writers): nothing to check
            }

            head[0] = (byte)opcode;
            BinaryPrimitives.WriteUInt64LittleEndian(head.AsSpan(1), (ulong)content.Remaining);
            crc = Crc32.Update(Crc32.Update(crc, head), content.PeekRest());
            switch (opcode)
            {
                case McapOpcode.Chunk:
                    foreach (var inner in Inner(recordOffset,
                                 McapRecordParser.ChunkRecords(content, recordOffset, maxChunkBytes)))
                    {
                        yield return inner;
                    }

                    break;
                case McapOpcode.Metadata:
                    metadata?.Add(McapRecordParser.Metadata(content));
                    break;
                default:
                    Register(opcode, content);
                    yield return (opcode, content);
                    break;
            }
        }
    }
}
