using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace TorchSparse.Checkpoints;

/// <summary>What a pickle may reach outside plain data: globals, calls, persistent ids. The host decides.</summary>
internal interface IPickleHost
{
    object ResolveGlobal(string module, string name);

    object? Call(object callable, object?[] args);

    object? PersistentLoad(object? pid);

    /// <summary>BUILD: sets state on an object; hosts ignore state they do not need (OrderedDict metadata).</summary>
    void Build(object? target, object? state);
}

/// <summary>
/// A pickle interpreter for the opcodes torch.save emits (protocol 2 and the zip format's pickles). It only builds
/// data: globals and calls go to an <see cref="IPickleHost"/>, which resolves them from an allow-list. Every opcode
/// consumes input, so a run ends in time linear in the stream length; truncation and unknown opcodes throw.
/// </summary>
internal sealed class PickleMachine(ReadOnlyMemory<byte> data, IPickleHost host)
{
    private readonly List<object?> stack = [];
    private readonly List<int> marks = [];
    private readonly Dictionary<long, object?> memo = [];
    private int pos;

    /// <summary>Offset just past the last STOP read (legacy files hold several pickles back to back).</summary>
    public int Position => pos;

    /// <summary>Runs one pickle starting at <paramref name="start"/> and returns the value STOP leaves.</summary>
    public object? Run(int start)
    {
        pos = start;
        stack.Clear();
        marks.Clear();
        memo.Clear();
        while (true)
        {
            byte op = ReadByte();
            if (op == (byte)'.')
            {
                object? result = Pop();
                if (stack.Count != 0 || marks.Count != 0)
                {
                    throw new PickleFormatException("pickle stopped with unused values on its stack");
                }

                return result;
            }

            Step(op);
        }
    }

    private void Step(byte op)
    {
        switch (op)
        {
            case 0x80: ReadByte(); break;                      // PROTO: version byte; all versions share these opcodes
            case 0x95: ReadBytes(8); break;                    // FRAME: framing is only a buffering hint
            case (byte)'(': marks.Add(stack.Count); break;     // MARK
            case (byte)'}': Push(new PickleDict()); break;     // EMPTY_DICT
            case (byte)']': Push(new List<object?>()); break;  // EMPTY_LIST
            case (byte)')': Push(new PickleTuple([])); break;  // EMPTY_TUPLE
            case 0x85: Push(new PickleTuple([Pop()])); break;  // TUPLE1
            case 0x86: PushTuple(2); break;                    // TUPLE2
            case 0x87: PushTuple(3); break;                    // TUPLE3
            case (byte)'t': Push(new PickleTuple(PopToMark())); break; // TUPLE
            case (byte)'N': Push(null); break;
            case 0x88: Push(true); break;
            case 0x89: Push(false); break;
            case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break; // BININT
            case (byte)'K': Push((long)ReadByte()); break;                                          // BININT1
            case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break; // BININT2
            case 0x8a: Push(ReadLong1()); break;
            case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break;     // BINFLOAT
            case (byte)'X': Push(ReadUtf8(ReadLength(4))); break;                                 // BINUNICODE
            case 0x8c: Push(ReadUtf8(ReadByte())); break;                                         // SHORT_BINUNICODE
            case 0x8d: Push(ReadUtf8(ReadLength(8))); break;                                      // BINUNICODE8
            case (byte)'U': Push(Encoding.Latin1.GetString(ReadBytes(ReadByte()))); break;        // SHORT_BINSTRING
            case (byte)'T': Push(Encoding.Latin1.GetString(ReadBytes(ReadLength(4)))); break;     // BINSTRING
            case (byte)'C': Push(ReadBytes(ReadByte()).ToArray()); break;                         // SHORT_BINBYTES
            case (byte)'B': Push(ReadBytes(ReadLength(4)).ToArray()); break;                      // BINBYTES
            case (byte)'q': memo[ReadByte()] = Peek(); break;                                     // BINPUT
            case (byte)'r': memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Peek(); break; // LONG_BINPUT
            case 0x94: memo[memo.Count] = Peek(); break;                                          // MEMOIZE
            case (byte)'h': Push(Memo(ReadByte())); break;                                        // BINGET
            case (byte)'j': Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break; // LONG_BINGET
            case (byte)'c':                                                                       // GLOBAL
                string module = ReadLine();
                Push(host.ResolveGlobal(module, ReadLine()));
                break;
            case 0x93:                                                                            // STACK_GLOBAL
                string name = PopString("STACK_GLOBAL name");
                Push(host.ResolveGlobal(PopString("STACK_GLOBAL module"), name));
                break;
            case (byte)'R': Reduce(); break;
            case 0x81: Reduce(); break; // NEWOBJ: cls(*args) is what torch's pickles need from cls.__new__
            case (byte)'b':                                                                       // BUILD
                object? state = Pop();
                host.Build(Peek(), state);
                break;
            case (byte)'s':                                                                       // SETITEM
                object? value = Pop();
                object? key = Pop();
                PeekAs<PickleDict>("SETITEM").Set(key, value);
                break;
            case (byte)'u': SetItems(); break;
            case (byte)'a':                                                                       // APPEND
                object? item = Pop();
                PeekAs<List<object?>>("APPEND").Add(item);
                break;
            case (byte)'e':                                                                       // APPENDS
                object?[] items = PopToMark();
                PeekAs<List<object?>>("APPENDS").AddRange(items);
                break;
            case (byte)'Q': Push(host.PersistentLoad(Pop())); break;                              // BINPERSID
            default:
                throw new PickleFormatException($"unsupported pickle opcode 0x{op:x2} at offset {pos - 1}");
        }
    }

    private void Reduce()
    {
        object? args = Pop();
        object? callable = Pop();
        if (args is not PickleTuple tuple || callable is null)
        {
            throw new PickleFormatException(
                $"call needs a callable and an argument tuple, got {PickleText.TypeName(callable)} and " +
                $"{PickleText.TypeName(args)}");
        }

        Push(host.Call(callable, tuple.Items));
    }

    private void SetItems()
    {
        object?[] items = PopToMark();
        if (items.Length % 2 != 0)
        {
            throw new PickleFormatException("SETITEMS has an odd number of values");
        }

        PickleDict dict = PeekAs<PickleDict>("SETITEMS");
        for (int i = 0; i < items.Length; i += 2)
        {
            dict.Set(items[i], items[i + 1]);
        }
    }

    private object? Memo(long key) =>
        memo.TryGetValue(key, out object? value)
            ? value
            : throw new PickleFormatException($"memo key {key} is not set");

    private void Push(object? value) => stack.Add(value);

    private void PushTuple(int count)
    {
        object?[] items = new object?[count];
        for (int i = count - 1; i >= 0; i--)
        {
            items[i] = Pop();
        }

        Push(new PickleTuple(items));
    }

    private object? Peek()
    {
        int floor = marks.Count > 0 ? marks[^1] : 0;
        return stack.Count > floor ? stack[^1] : throw new PickleFormatException("pickle stack underflow");
    }

    private T PeekAs<T>(string opcode) => Peek() is T value
        ? value
        : throw new PickleFormatException($"{opcode} on a {PickleText.TypeName(Peek())}");

    private object? Pop()
    {
        object? value = Peek();
        stack.RemoveAt(stack.Count - 1);
        return value;
    }

    private string PopString(string what) =>
        Pop() as string ?? throw new PickleFormatException($"{what} is not a string");

    private object?[] PopToMark()
    {
        if (marks.Count == 0)
        {
            throw new PickleFormatException("pickle has no MARK to pop to");
        }

        int start = marks[^1];
        marks.RemoveAt(marks.Count - 1);
        object?[] items = stack.GetRange(start, stack.Count - start).ToArray();
        stack.RemoveRange(start, stack.Count - start);
        return items;
    }

    private byte ReadByte() => ReadBytes(1)[0];

    private ReadOnlySpan<byte> ReadBytes(long count)
    {
        if (count < 0 || count > data.Length - pos)
        {
            throw new PickleFormatException($"pickle is truncated: needs {count} bytes at offset {pos}");
        }

        ReadOnlySpan<byte> bytes = data.Span.Slice(pos, (int)count);
        pos += (int)count;
        return bytes;
    }

    private long ReadLength(int width) => width == 4
        ? BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))
        : BinaryPrimitives.ReadInt64LittleEndian(ReadBytes(8));

    private string ReadUtf8(long length) => Encoding.UTF8.GetString(ReadBytes(length));

    private string ReadLine()
    {
        int end = data.Span[pos..].IndexOf((byte)'\n');
        if (end < 0)
        {
            throw new PickleFormatException($"pickle is truncated: unterminated GLOBAL name at offset {pos}");
        }

        string line = Encoding.ASCII.GetString(ReadBytes(end));
        pos++; // the newline
        return line;
    }

    private object ReadLong1()
    {
        // LONG1: little-endian two's complement of n bytes. Tensor metadata fits in int64; only the legacy format's
        // 10-byte magic number is wider, and it stays a BigInteger.
        int n = ReadByte();
        ReadOnlySpan<byte> bytes = ReadBytes(n);
        if (n > 8)
        {
            return new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        }

        long value = 0;
        for (int i = n - 1; i >= 0; i--)
        {
            value = (value << 8) | bytes[i];
        }

        return n is > 0 and < 8 && (bytes[n - 1] & 0x80) != 0 ? value - (1L << (8 * n)) : value;
    }
}
