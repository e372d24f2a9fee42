namespace Perception.Ros2.Dds.Types;

/// <summary>
/// Builds a type's serializer program, the <c>m_ops</c> array of a dds_topic_descriptor_t, exactly as idlc 0.10.2
/// emits it for <c>-x final</c> (dds_opcodes.h: opcode &lt;&lt; 24, type &lt;&lt; 16, subtype &lt;&lt; 8, flags): the
/// top-level struct's instructions and RTS, then each nested struct once, depth-first in order of first use, referenced
/// by 16-bit jumps relative to the referring instruction. A unit test compares the words with idlc's output.
/// </summary>
internal static class DdsOps
{
    private const uint Adr = 0x01u << 24;
    private const uint Rts = 0;
    private const uint TypeSeq = 0x07u << 16;
    private const uint TypeArr = 0x08u << 16;
    private const uint TypeExt = 0x0du << 16;
    private const uint SubtypeStu = 0x0au << 8;
    private const uint FlagFp = 0x02;
    private const uint FlagSigned = 0x04;

    /// <summary>The ops words and the instruction count (<c>m_nops</c>: one per field, one per RTS).</summary>
    public static (uint[] Ops, uint InstructionCount) Build(DdsStructType root)
    {
        var order = new List<DdsStructType>();
        Visit(root);
        var start = new Dictionary<DdsStructType, int>();
        int words = 0;
        foreach (DdsStructType type in order)
        {
            start[type] = words;
            words += type.Fields.Sum(WordsOf) + 1;
        }

        var ops = new List<uint>(words);
        uint instructions = 0;
        foreach (DdsStructType type in order)
        {
            foreach (DdsField field in type.Fields)
            {
                Emit(field, ops, start);
                instructions++;
            }

            ops.Add(Rts);
            instructions++;
        }

        return (ops.ToArray(), instructions);

        void Visit(DdsStructType type)
        {
            if (order.Contains(type))
            {
                return;
            }

            order.Add(type);
            foreach (DdsField field in type.Fields)
            {
                if (field.Struct is not null)
                {
                    Visit(field.Struct);
                }
            }
        }
    }

    private static int WordsOf(DdsField field) => (field.Repeat, field.Struct is null) switch
    {
        (DdsRepeat.Single, true) => field.Scalar == DdsScalar.BoundedString ? 3 : 2,
        (DdsRepeat.Single, false) => 3,
        (DdsRepeat.Sequence, true) => field.Scalar == DdsScalar.BoundedString ? 3 : 2,
        (DdsRepeat.Sequence, false) => 4,
        (DdsRepeat.Array, true) => 3,
        _ => throw new NotSupportedException($"Field '{field.Name}': fixed arrays of structs are not supported."),
    };

    private static void Emit(DdsField field, List<uint> ops, Dictionary<DdsStructType, int> start)
    {
        int here = ops.Count;
        uint offset = (uint)field.Offset;
        if (field.Struct is { } nested)
        {
            uint jump = (uint)(ushort)(short)(start[nested] - here);
            if (field.Repeat == DdsRepeat.Single)
            {
                ops.AddRange([Adr | TypeExt, offset, (3u << 16) + jump]);
            }
            else
            {
                ops.AddRange([Adr | TypeSeq | SubtypeStu, offset, (uint)nested.Size, (4u << 16) + jump]);
            }

            return;
        }

        DdsScalar scalar = field.Scalar!.Value;
        if (field.Repeat == DdsRepeat.Array && scalar is DdsScalar.String or DdsScalar.BoundedString)
        {
            throw new NotSupportedException($"Field '{field.Name}': fixed arrays of strings are not supported.");
        }

        uint code = CodeOf(scalar);
        uint flags = FlagsOf(scalar);
        switch (field.Repeat)
        {
            case DdsRepeat.Single:
                ops.AddRange([Adr | (code << 16) | flags, offset]);
                break;
            case DdsRepeat.Sequence:
                ops.AddRange([Adr | TypeSeq | (code << 8) | flags, offset]);
                break;
            default:
                ops.AddRange([Adr | TypeArr | (code << 8) | flags, offset, (uint)field.ArrayLength]);
                break;
        }

        if (scalar == DdsScalar.BoundedString)
        {
            ops.Add((uint)field.StringBound + 1);
        }
    }

    /// <summary>DDS_OP_VAL_*: 1BY=1, 2BY=2, 4BY=3, 8BY=4, STR=5, BST=6, BLN=0x0e.</summary>
    private static uint CodeOf(DdsScalar scalar) => scalar switch
    {
        DdsScalar.UInt8 or DdsScalar.Int8 => 1,
        DdsScalar.UInt16 or DdsScalar.Int16 => 2,
        DdsScalar.UInt32 or DdsScalar.Int32 or DdsScalar.Float32 => 3,
        DdsScalar.UInt64 or DdsScalar.Int64 or DdsScalar.Float64 => 4,
        DdsScalar.String => 5,
        DdsScalar.BoundedString => 6,
        _ => 0x0e,
    };

    private static uint FlagsOf(DdsScalar scalar) => scalar switch
    {
        DdsScalar.Int8 or DdsScalar.Int16 or DdsScalar.Int32 or DdsScalar.Int64 => FlagSigned,
        DdsScalar.Float32 or DdsScalar.Float64 => FlagFp,
        _ => 0,
    };
}
