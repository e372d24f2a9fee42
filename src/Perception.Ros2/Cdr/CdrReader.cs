using System.Buffers.Binary;
using System.Text;

namespace Perception.Ros2.Cdr;

/// <summary>
/// Reads one XCDR1 payload (plain CDR, as ROS 2 sends it): the encapsulation header may say little-endian
/// (<c>00 01</c>) or big-endian (<c>00 00</c>) and its options bytes are ignored (Cyclone puts the padding count
/// there). Every read names its field, so a truncated payload or an absurd length fails with a
/// <see cref="CdrFormatException"/> that says where; no length is trusted beyond the bytes that remain.
/// </summary>
public sealed class CdrReader
{
    private const int HeaderSize = 4;
    private readonly ReadOnlyMemory<byte> payload;
    private readonly bool littleEndian;
    private int position;

    /// <exception cref="CdrFormatException">The payload is shorter than the header or not plain CDR.</exception>
    public CdrReader(ReadOnlyMemory<byte> payload)
    {
        this.payload = payload;
        ReadOnlySpan<byte> span = payload.Span;
        if (span.Length < HeaderSize)
        {
            throw new CdrFormatException("encapsulation", 0, $"{span.Length} bytes, shorter than the 4-byte header");
        }

        if (span[0] != 0 || span[1] > 1)
        {
            throw new CdrFormatException("encapsulation", 0,
                $"kind {span[0]:x2} {span[1]:x2} is not plain CDR (00 00 big-endian or 00 01 little-endian)");
        }

        littleEndian = span[1] == 1;
        position = HeaderSize;
    }

    /// <summary>Bytes not yet read.</summary>
    public int Remaining => payload.Length - position;

    public bool ReadBool(string field) => ReadUInt8(field) != 0;

    public byte ReadUInt8(string field) => Take(1, 1, field)[0];

    public sbyte ReadInt8(string field) => unchecked((sbyte)ReadUInt8(field));

    public short ReadInt16(string field) => unchecked((short)ReadUInt16(field));

    public ushort ReadUInt16(string field)
    {
        ReadOnlySpan<byte> b = Take(2, 2, field);
        return littleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);
    }

    public int ReadInt32(string field) => unchecked((int)ReadUInt32(field));

    public uint ReadUInt32(string field)
    {
        ReadOnlySpan<byte> b = Take(4, 4, field);
        return littleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);
    }

    public long ReadInt64(string field) => unchecked((long)ReadUInt64(field));

    public ulong ReadUInt64(string field)
    {
        ReadOnlySpan<byte> b = Take(8, 8, field);
        return littleEndian ? BinaryPrimitives.ReadUInt64LittleEndian(b) : BinaryPrimitives.ReadUInt64BigEndian(b);
    }

    public float ReadFloat32(string field) => BitConverter.UInt32BitsToSingle(ReadUInt32(field));

    public double ReadFloat64(string field) => BitConverter.UInt64BitsToDouble(ReadUInt64(field));

    /// <summary>A string: uint32 length including the NUL, the bytes, the NUL (a zero length reads as empty).</summary>
    public string ReadString(string field)
    {
        uint declared = ReadUInt32(field);
        if (declared == 0)
        {
            return string.Empty;
        }

        ReadOnlySpan<byte> bytes = Take(CheckLength(declared, 1, field), 1, field);
        if (bytes[^1] != 0)
        {
            throw new CdrFormatException(field, position - 1, "string is not NUL-terminated");
        }

        return Encoding.UTF8.GetString(bytes[..^1]);
    }

    /// <summary>A sequence's element count, refused when even <paramref name="minElementSize"/> bytes per element
    /// would not fit in what remains, so a corrupt count never drives an allocation.</summary>
    public int ReadSequenceLength(string field, int minElementSize)
    {
        uint count = ReadUInt32(field);
        return CheckLength(count, Math.Max(minElementSize, 1), field);
    }

    /// <summary>A <c>uint8[]</c> sequence as a slice of the payload: no copy.</summary>
    public ReadOnlyMemory<byte> ReadByteSequence(string field)
    {
        int count = ReadSequenceLength(field, 1);
        int start = position;
        Take(count, 1, field);
        return payload.Slice(start, count);
    }

    /// <summary>A fixed-size <c>float64[N]</c> array (no count on the wire).</summary>
    public double[] ReadFloat64Array(string field, int length)
    {
        CheckLength((uint)length, 8, field);
        var values = new double[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = ReadFloat64(field);
        }

        return values;
    }

    /// <summary>A sequence of structs or primitives, each read by <paramref name="readElement"/>.</summary>
    public T[] ReadSequence<T>(string field, int minElementSize, Func<CdrReader, T> readElement)
    {
        var items = new T[ReadSequenceLength(field, minElementSize)];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = readElement(this);
        }

        return items;
    }

    private int CheckLength(uint count, int elementSize, string field)
    {
        if ((ulong)count * (ulong)elementSize > (ulong)Remaining)
        {
            throw new CdrFormatException(field, position - 4,
                $"length {count} needs at least {(ulong)count * (ulong)elementSize} bytes but only {Remaining} remain");
        }

        return (int)count;
    }

    private ReadOnlySpan<byte> Take(int size, int alignment, string field)
    {
        int body = position - HeaderSize;
        int start = position + ((alignment - (body % alignment)) % alignment);
        if (start > payload.Length || size > payload.Length - start)
        {
            throw new CdrFormatException(field, position,
                $"truncated: needs {size} bytes (aligned to {alignment}) but the payload ends at byte {payload.Length}");
        }

        position = start + size;
        return payload.Span.Slice(start, size);
    }
}
