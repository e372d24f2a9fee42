using System.Buffers.Binary;
using System.Text;

namespace Perception.Ros2.Mcap;

/// <summary>Decodes the fields of one record's content. Every length is checked against what remains, so a corrupt
/// length fails with an <see cref="McapFormatException"/> naming the record and file offset instead of allocating.
/// </summary>
internal sealed class McapRecordReader(ReadOnlyMemory<byte> content, long fileOffset, string record)
{
    private int position;

    public int Remaining => content.Length - position;

    public byte ReadU8() => Take(1)[0];

    public ushort ReadU16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public uint ReadU32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public ulong ReadU64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public string ReadString() => Encoding.UTF8.GetString(Take(ReadLength(ReadU32())));

    /// <summary>u32-prefixed bytes, as a slice (no copy).</summary>
    public ReadOnlyMemory<byte> ReadBytes() => Slice(ReadLength(ReadU32()));

    /// <summary>u64-prefixed bytes (Chunk.records), as a slice.</summary>
    public ReadOnlyMemory<byte> ReadLongBytes() => Slice(ReadLength(ReadU64()));

    /// <summary>The unread content without consuming it (for CRCs).</summary>
    public ReadOnlySpan<byte> PeekRest() => content.Span[position..];

    /// <summary>The rest of the content (Message.data), as a slice.</summary>
    public ReadOnlyMemory<byte> ReadRest() => Slice(Remaining);

    public Dictionary<string, string> ReadStringMap()
    {
        var inner = new McapRecordReader(Slice(ReadLength(ReadU32())), fileOffset + position, record);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        while (inner.Remaining > 0)
        {
            string key = inner.ReadString();
            map[key] = inner.ReadString();
        }

        return map;
    }

    public Dictionary<ushort, ulong> ReadU16U64Map()
    {
        var inner = new McapRecordReader(Slice(ReadLength(ReadU32())), fileOffset + position, record);
        var map = new Dictionary<ushort, ulong>();
        while (inner.Remaining > 0)
        {
            ushort key = inner.ReadU16();
            map[key] = inner.ReadU64();
        }

        return map;
    }

    public McapFormatException Error(string problem) => new(fileOffset + position, record, problem);

    private int ReadLength(ulong declared) => declared <= (ulong)Remaining ? (int)declared
        : throw Error($"a length of {declared} bytes runs past the record's end ({Remaining} bytes remain)");

    private ReadOnlyMemory<byte> Slice(int length)
    {
        ReadOnlyMemory<byte> slice = content.Slice(position, ReadLength((ulong)length));
        position += length;
        return slice;
    }

    private ReadOnlySpan<byte> Take(int size) => Slice(size).Span;
}
