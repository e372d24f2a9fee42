using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Perception.Ros2.Cdr;

namespace Perception.Ros2.Dds.Types;

/// <summary>
/// Turns one XCDR1 payload (what <see cref="CdrWriter"/> produced) into the C sample dds_write expects for a
/// <see cref="DdsStructType"/>: the CDR stays the single codec of every message and this walker is generic over the
/// layout. <c>uint8[]</c> sequences (the PointCloud2 data) point into the pinned payload instead of being copied;
/// everything else lives in native memory owned by this builder until it is disposed, after dds_write returns
/// (dds_write serializes synchronously).
/// </summary>
internal sealed unsafe class DdsSampleBuilder : IDisposable
{
    private readonly List<IntPtr> allocations = [];
    private readonly List<MemoryHandle> pins = [];

    /// <summary>The sample for <paramref name="payload"/>, valid until <see cref="Dispose"/>.</summary>
    /// <exception cref="CdrFormatException">The payload does not hold a <paramref name="type"/>.</exception>
    public IntPtr Build(DdsStructType type, ReadOnlyMemory<byte> payload)
    {
        var reader = new CdrReader(payload);
        byte* sample = Allocate(type.Size);
        ReadStruct(type, reader, sample);
        return (IntPtr)sample;
    }

    public void Dispose()
    {
        foreach (IntPtr allocation in allocations)
        {
            NativeMemory.Free((void*)allocation);
        }

        foreach (MemoryHandle pin in pins)
        {
            pin.Dispose();
        }

        allocations.Clear();
        pins.Clear();
    }

    /// <summary>The fewest CDR bytes one value of <paramref name="type"/> takes (padding ignored): bounds sequence
    /// counts before anything is allocated.</summary>
    private static int MinWireSize(DdsStructType type) => Math.Max(1, type.Fields.Sum(field =>
        field.Repeat == DdsRepeat.Sequence ? 4
            : (field.Repeat == DdsRepeat.Array ? field.ArrayLength : 1) * MinWireSize(field)));

    private static int MinWireSize(DdsField field) => field.Struct is { } nested ? MinWireSize(nested)
        : field.Scalar is DdsScalar.String or DdsScalar.BoundedString ? 4
        : DdsStructType.SizeOf(field.Scalar!.Value, 0).Size;

    private void ReadStruct(DdsStructType type, CdrReader reader, byte* at)
    {
        foreach (DdsField field in type.Fields)
        {
            ReadField(field, reader, at + field.Offset);
        }
    }

    private void ReadField(DdsField field, CdrReader reader, byte* at)
    {
        int elementSize = field.Struct?.Size ?? DdsStructType.SizeOf(field.Scalar!.Value, field.StringBound).Size;
        switch (field.Repeat)
        {
            case DdsRepeat.Single:
                ReadElement(field, reader, at);
                break;
            case DdsRepeat.Array:
                for (int i = 0; i < field.ArrayLength; i++)
                {
                    ReadElement(field, reader, at + (i * elementSize));
                }

                break;
            case DdsRepeat.Sequence when field.Scalar is DdsScalar.UInt8 or DdsScalar.Int8:
                ReadOnlyMemory<byte> bytes = reader.ReadByteSequence(field.Name);
                MemoryHandle pin = bytes.Pin();
                pins.Add(pin);
                SetSequence(at, bytes.Length, (byte*)pin.Pointer);
                break;
            default:
                int minSize = field.Struct is null ? MinWireSize(field) : MinWireSize(field.Struct);
                int count = reader.ReadSequenceLength(field.Name, minSize);
                byte* buffer = count == 0 ? null : Allocate(checked(count * elementSize));
                for (int i = 0; i < count; i++)
                {
                    ReadElement(field, reader, buffer + (i * elementSize));
                }

                SetSequence(at, count, buffer);
                break;
        }
    }

    private void ReadElement(DdsField field, CdrReader reader, byte* at)
    {
        if (field.Struct is { } nested)
        {
            ReadStruct(nested, reader, at);
            return;
        }

        string name = field.Name;
        switch (field.Scalar!.Value)
        {
            case DdsScalar.Bool: *at = reader.ReadBool(name) ? (byte)1 : (byte)0; break;
            case DdsScalar.UInt8 or DdsScalar.Int8: *at = reader.ReadUInt8(name); break;
            case DdsScalar.UInt16 or DdsScalar.Int16: *(ushort*)at = reader.ReadUInt16(name); break;
            case DdsScalar.UInt32 or DdsScalar.Int32 or DdsScalar.Float32: *(uint*)at = reader.ReadUInt32(name); break;
            case DdsScalar.UInt64 or DdsScalar.Int64 or DdsScalar.Float64: *(ulong*)at = reader.ReadUInt64(name); break;
            case DdsScalar.String:
                string value = reader.ReadString(name);
                byte* copy = Allocate(Encoding.UTF8.GetByteCount(value) + 1);
                CopyString(value, copy);
                *(IntPtr*)at = (IntPtr)copy;
                break;
            default:
                string text = reader.ReadString(name);
                if (Encoding.UTF8.GetByteCount(text) > field.StringBound)
                {
                    throw new CdrFormatException(name, 0, $"string longer than its bound {field.StringBound}");
                }

                CopyString(text, at);
                break;
        }
    }

    /// <summary>UTF-8 bytes and a NUL at <paramref name="target"/>, which has room for them.</summary>
    private static void CopyString(string text, byte* target)
    {
        int length = Encoding.UTF8.GetByteCount(text);
        Encoding.UTF8.GetBytes(text, new Span<byte>(target, length));
        target[length] = 0;
    }

    /// <summary>dds_sequence_t: {uint32 _maximum; uint32 _length; void* _buffer; bool _release}; release false, the
    /// buffer is ours (or the caller's pinned payload).</summary>
    private static void SetSequence(byte* at, int count, byte* buffer)
    {
        *(uint*)at = (uint)count;
        *(uint*)(at + 4) = (uint)count;
        *(IntPtr*)(at + 8) = (IntPtr)buffer;
        at[16] = 0;
    }

    private byte* Allocate(int size)
    {
        void* memory = NativeMemory.AllocZeroed((nuint)Math.Max(size, 1));
        allocations.Add((IntPtr)memory);
        return (byte*)memory;
    }
}
