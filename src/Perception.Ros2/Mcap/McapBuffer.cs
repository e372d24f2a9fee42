using System.Buffers.Binary;
using System.Text;

namespace Perception.Ros2.Mcap;

/// <summary>A growable little-endian byte buffer that encodes MCAP primitives and records (opcode, u64 length, content;
/// the length is patched in when the record ends). Used for chunk contents and for summary records.</summary>
internal sealed class McapBuffer
{
    private byte[] buffer = new byte[4096];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => buffer.AsSpan(0, Length);

    public void Clear() => Length = 0;

    /// <summary>Writes the opcode and a length placeholder; returns where the length goes.</summary>
    public int BeginRecord(McapOpcode opcode)
    {
        WriteU8((byte)opcode);
        int at = Length;
        WriteU64(0);
        return at;
    }

    public void EndRecord(int lengthAt) =>
        BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(lengthAt), (ulong)(Length - lengthAt - 8));

    /// <summary>Starts an Array or Map: a u32 byte length patched in by <see cref="EndPrefixed"/>.</summary>
    public int BeginPrefixed()
    {
        int at = Length;
        WriteU32(0);
        return at;
    }

    public void EndPrefixed(int lengthAt) =>
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(lengthAt), (uint)(Length - lengthAt - 4));

    public void WriteU8(byte value) => Reserve(1)[0] = value;

    public void WriteU16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), value);

    public void WriteU32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);

    public void WriteU64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);

    /// <summary>String: u32 byte length, UTF-8 bytes.</summary>
    public void WriteString(string value)
    {
        int bytes = Encoding.UTF8.GetByteCount(value);
        WriteU32((uint)bytes);
        Encoding.UTF8.GetBytes(value, Reserve(bytes));
    }

    /// <summary>Bytes with a u32 length prefix (Schema.data).</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteU32((uint)value.Length);
        WriteRaw(value);
    }

    public void WriteRaw(ReadOnlySpan<byte> value) => value.CopyTo(Reserve(value.Length));

    public void WriteStringMap(IReadOnlyDictionary<string, string> map)
    {
        int at = BeginPrefixed();
        foreach ((string key, string value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            WriteString(key);
            WriteString(value);
        }

        EndPrefixed(at);
    }

    public void WriteU16U64Map(IReadOnlyDictionary<ushort, ulong> map)
    {
        int at = BeginPrefixed();
        foreach ((ushort key, ulong value) in map.OrderBy(p => p.Key))
        {
            WriteU16(key);
            WriteU64(value);
        }

        EndPrefixed(at);
    }

    private Span<byte> Reserve(int size)
    {
        int end = checked(Length + size);
        if (end > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Max(end, (int)Math.Min(Array.MaxLength, buffer.Length * 2L)));
        }

        Span<byte> span = buffer.AsSpan(Length, size);
        Length = end;
        return span;
    }
}
