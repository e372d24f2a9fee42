using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace TorchSparse.Checkpoints;

/// <summary>
/// Emits a protocol-2 pickle from the opcodes torch.save uses, all of which torch 1.13's weights_only unpickler
/// accepts except the one for floats (see <see cref="Float"/>). Callers push values in pickle
/// order: <c>Mark()</c>, items, <c>Tuple()</c>; callable, argument tuple, <c>Reduce()</c>. Nothing is memoized:
/// every value is written where it is used, which every unpickler accepts.
/// </summary>
internal sealed class PickleWriter
{
    // Strict: a string with a lone surrogate throws instead of being written as U+FFFD, a silently different key.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ArrayBufferWriter<byte> buffer = new();

    public PickleWriter()
    {
        Op(0x80); // PROTO
        Op(2);
    }

    public void Mark() => Op((byte)'(');

    public void EmptyDict() => Op((byte)'}');

    /// <summary>TUPLE: the values pushed since the last <see cref="Mark"/>.</summary>
    public void Tuple() => Op((byte)'t');

    /// <summary>SETITEMS: key-value pairs pushed since the last <see cref="Mark"/> go into the dict below them.
    /// </summary>
    public void SetItems() => Op((byte)'u');

    /// <summary>REDUCE: calls the callable below the argument tuple on top.</summary>
    public void Reduce() => Op((byte)'R');

    /// <summary>BINPERSID: the tuple on top is a persistent id (torch: a storage).</summary>
    public void PersistentId() => Op((byte)'Q');

    /// <summary>GLOBAL: <c>module\nname\n</c>.</summary>
    public void Global(string module, string name)
    {
        Op((byte)'c');
        buffer.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
    }

    /// <summary>A tuple of integers: EMPTY_TUPLE, TUPLE1..3, or MARK ... TUPLE when longer.</summary>
    public void IntTuple(IReadOnlyList<long> items)
    {
        if (items.Count > 3)
        {
            Mark();
        }

        foreach (long item in items)
        {
            Int(item);
        }

        Op(items.Count switch
        {
            0 => (byte)')',
            1 => 0x85,
            2 => 0x86,
            3 => 0x87,
            _ => (byte)'t',
        });
    }

    public void Bool(bool value) => Op(value ? (byte)0x88 : (byte)0x89); // NEWTRUE, NEWFALSE

    /// <summary>The smallest of BININT1, BININT2, BININT and LONG1 that holds <paramref name="value"/>, as
    /// Python's pickler chooses.</summary>
    public void Int(long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        if (value is >= 0 and <= byte.MaxValue)
        {
            Op((byte)'K');
            Op((byte)value);
        }
        else if (value is >= 0 and <= ushort.MaxValue)
        {
            Op((byte)'M');
            buffer.Write(bytes[..2]);
        }
        else if (value is >= int.MinValue and <= int.MaxValue)
        {
            Op((byte)'J');
            buffer.Write(bytes[..4]);
        }
        else
        {
            // LONG1: the shortest little-endian two's complement, so drop top bytes that only repeat the sign.
            byte sign = value < 0 ? (byte)0xFF : (byte)0;
            int length = 8;
            while (length > 1 && bytes[length - 1] == sign && (bytes[length - 2] & 0x80) == (sign & 0x80))
            {
                length--;
            }

            Op(0x8a);
            Op((byte)length);
            buffer.Write(bytes[..length]);
        }
    }

    /// <summary>BINFLOAT (big-endian double). torch 1.13's weights_only unpickler rejects this opcode (torch >= 2.0
    /// accepts it); torch.save writes it too, so such files need weights_only=False there.</summary>
    public void Float(double value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(bytes, value);
        Op((byte)'G');
        buffer.Write(bytes);
    }

    /// <summary>BINUNICODE: a 4-byte length, then UTF-8.</summary>
    public void String(string value)
    {
        byte[] utf8 = Utf8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, utf8.Length);
        Op((byte)'X');
        buffer.Write(length);
        buffer.Write(utf8);
    }

    /// <summary>STOP, and the finished pickle.</summary>
    public byte[] Finish()
    {
        Op((byte)'.');
        return buffer.WrittenSpan.ToArray();
    }

    private void Op(byte value) => buffer.Write([value]);
}
