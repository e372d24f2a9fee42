using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Perception.Ros2.Cdr;

/// <summary>
/// Serializes XCDR1 little-endian (CDR_LE), what ROS 2 puts on the wire and in rosbag2 files: the 4-byte encapsulation
/// header <c>00 01 00 00</c>, then each primitive aligned to its own size (capped at 8) counted from the first byte
/// after the header, strings as a uint32 length that includes the NUL, sequences as a uint32 count then the elements.
/// </summary>
public sealed class CdrWriter
{
    private const int HeaderSize = 4;
    private byte[] buffer;
    private int length;

    public CdrWriter(int initialCapacity = 256)
    {
        buffer = new byte[Math.Max(initialCapacity, 16)];
        buffer[1] = 1; // CDR_LE; options stay 0 (rmw_cyclonedds writes the same)
        length = HeaderSize;
    }

    /// <summary>Bytes written so far, header included.</summary>
    public int Length => length;

    /// <summary>The serialized payload, header included (a copy of exactly <see cref="Length"/> bytes).</summary>
    public byte[] ToArray() => buffer.AsSpan(0, length).ToArray();

    public void WriteBool(bool value) => WriteUInt8(value ? (byte)1 : (byte)0);

    public void WriteUInt8(byte value) => Reserve(1, 1)[0] = value;

    public void WriteInt8(sbyte value) => WriteUInt8(unchecked((byte)value));

    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16LittleEndian(Reserve(2, 2), value);

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2, 2), value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4, 4), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4, 4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8, 8), value);

    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8, 8), value);

    public void WriteFloat32(float value) => BinaryPrimitives.WriteSingleLittleEndian(Reserve(4, 4), value);

    public void WriteFloat64(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8, 8), value);

    /// <summary>uint32 byte length including the terminating NUL, the UTF-8 bytes, then the NUL.</summary>
    public void WriteString(string value)
    {
        int bytes = Encoding.UTF8.GetByteCount(value);
        WriteUInt32(checked((uint)bytes + 1));
        Span<byte> target = Reserve(bytes + 1, 1);
        Encoding.UTF8.GetBytes(value, target);
        target[bytes] = 0;
    }

    /// <summary>The uint32 element count that starts every unbounded or bounded sequence.</summary>
    public void WriteSequenceLength(int count) => WriteUInt32(checked((uint)count));

    /// <summary>A <c>uint8[]</c> sequence: the count, then the raw bytes (one copy into the output).</summary>
    public void WriteByteSequence(ReadOnlySpan<byte> bytes)
    {
        WriteSequenceLength(bytes.Length);
        bytes.CopyTo(Reserve(bytes.Length, 1));
    }

    /// <summary>A fixed-size <c>float64[N]</c> array: the elements only, no count.</summary>
    public void WriteFloat64Array(ReadOnlySpan<double> values, int expectedLength)
    {
        if (values.Length != expectedLength)
        {
            throw new ArgumentException($"A float64[{expectedLength}] needs {expectedLength} values, not {values.Length}.",
                nameof(values));
        }

        if (values.Length == 0)
        {
            return;
        }

        Span<byte> target = Reserve(values.Length * 8, 8);
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(target);
            return;
        }

        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(target[(i * 8)..], values[i]);
        }
    }

    /// <summary>Pads to <paramref name="alignment"/> (relative to the payload start) and returns the next
    /// <paramref name="size"/> bytes, growing the buffer as needed.</summary>
    private Span<byte> Reserve(int size, int alignment)
    {
        int body = length - HeaderSize;
        int padding = (alignment - (body % alignment)) % alignment;
        int end = checked(length + padding + size);
        if (end > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Max(end, (int)Math.Min(Array.MaxLength, buffer.Length * 2L)));
        }

        buffer.AsSpan(length, padding).Clear();
        int start = length + padding;
        length = end;
        return buffer.AsSpan(start, size);
    }
}
