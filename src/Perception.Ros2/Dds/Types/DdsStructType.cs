using System.Collections.Concurrent;

namespace Perception.Ros2.Dds.Types;

/// <summary>A primitive or string as Cyclone's serializer sees it.</summary>
internal enum DdsScalar
{
    Bool,
    UInt8,
    Int8,
    UInt16,
    Int16,
    UInt32,
    Int32,
    UInt64,
    Int64,
    Float32,
    Float64,
    String,
    BoundedString,
}

/// <summary>How a field repeats: once, as a sequence (count on the wire, dds_sequence_t in memory) or as a fixed
/// array (no count, inline).</summary>
internal enum DdsRepeat
{
    Single,
    Sequence,
    Array,
}

/// <summary>One field of a struct with its C offset. Exactly one of <see cref="Scalar"/> and <see cref="Struct"/> is set.
/// <see cref="ArrayLength"/> is the fixed array length; <see cref="StringBound"/> the N of <c>string&lt;=N</c>.</summary>
internal sealed record DdsField(string Name, DdsScalar? Scalar, DdsStructType? Struct, DdsRepeat Repeat, int ArrayLength,
    int StringBound, int Offset);

/// <summary>
/// A ROS message type laid out the way idlc lays out the C struct of its IDL (x86-64 rules: every member at its natural
/// alignment, strings as <c>char*</c>, <c>string&lt;=N</c> as <c>char[N+1]</c>, sequences as the 24-byte
/// <c>dds_sequence_t</c>, nested structs inline), parsed from the same .msg texts that give the ros2msg schemas. The
/// offsets go into the topic descriptor's ops and into the samples handed to dds_write.
/// </summary>
internal sealed class DdsStructType
{
    public const int SequenceSize = 24;

    private static readonly ConcurrentDictionary<string, DdsStructType> Cache = new(StringComparer.Ordinal);

    private DdsStructType(string key, IReadOnlyList<DdsField> fields, int size, int align, bool fixedSize)
    {
        Key = key;
        Fields = fields;
        Size = size;
        Align = align;
        IsFixedSize = fixedSize;
    }

    /// <summary><c>pkg/Type</c>.</summary>
    public string Key { get; }

    public IReadOnlyList<DdsField> Fields { get; }

    public int Size { get; }

    public int Align { get; }

    /// <summary>No string or sequence anywhere inside (idlc's DDS_TOPIC_FIXED_SIZE).</summary>
    public bool IsFixedSize { get; }

    /// <summary>The layout of <c>pkg/Type</c> from the SDK's message table.</summary>
    public static DdsStructType Get(string key) =>
        Cache.GetOrAdd(key, k => Parse(k, Messages.MessageDefinitions.Texts, [], []));

    /// <summary>The layout of <c>pkg/Type</c> from other definitions (the distro-specific discovery types).</summary>
    public static DdsStructType Parse(string key, IReadOnlyDictionary<string, string> texts) =>
        Parse(key, texts, [], []);

    public static (int Size, int Align) SizeOf(DdsScalar scalar, int stringBound) => scalar switch
    {
        DdsScalar.Bool or DdsScalar.UInt8 or DdsScalar.Int8 => (1, 1),
        DdsScalar.UInt16 or DdsScalar.Int16 => (2, 2),
        DdsScalar.UInt32 or DdsScalar.Int32 or DdsScalar.Float32 => (4, 4),
        DdsScalar.UInt64 or DdsScalar.Int64 or DdsScalar.Float64 or DdsScalar.String => (8, 8),
        DdsScalar.BoundedString => (stringBound + 1, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(scalar)),
    };

    /// <summary>Parses <paramref name="key"/>; <paramref name="done"/> makes every use of one nested type the same
    /// instance (the ops emit each nested type once), <paramref name="open"/> catches recursion.</summary>
    private static DdsStructType Parse(string key, IReadOnlyDictionary<string, string> texts,
        Dictionary<string, DdsStructType> done, HashSet<string> open)
    {
        if (done.TryGetValue(key, out DdsStructType? parsed))
        {
            return parsed;
        }

        if (!texts.TryGetValue(key, out string? text))
        {
            throw new KeyNotFoundException($"No ROS message definition for '{key}'.");
        }

        if (!open.Add(key))
        {
            throw new InvalidOperationException($"'{key}' contains itself.");
        }

        string package = key[..key.IndexOf('/', StringComparison.Ordinal)];
        var fields = new List<DdsField>();
        int offset = 0, align = 1;
        bool fixedSize = true;
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            string[] tokens = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            bool constant = tokens.Length >= 2 && (tokens[1].Contains('=', StringComparison.Ordinal)
                || (tokens.Length >= 3 && tokens[2].StartsWith('=')));
            if (tokens.Length < 2 || tokens[0].StartsWith('#') || constant)
            {
                continue;
            }

            (string type, DdsRepeat repeat, int arrayLength) = SplitArray(tokens[0], key);
            DdsScalar? scalar = ScalarOf(type, out int bound);
            DdsStructType? nested = scalar is null
                ? Parse(type.Contains('/', StringComparison.Ordinal) ? type : $"{package}/{type}", texts, done, open)
                : null;
            (int elemSize, int elemAlign) = nested is null ? SizeOf(scalar!.Value, bound) : (nested.Size, nested.Align);
            (int size, int fieldAlign) = repeat switch
            {
                DdsRepeat.Sequence => (SequenceSize, 8),
                DdsRepeat.Array => (elemSize * arrayLength, elemAlign),
                _ => (elemSize, elemAlign),
            };
            fixedSize &= repeat != DdsRepeat.Sequence && scalar != DdsScalar.String && (nested?.IsFixedSize ?? true);
            offset = AlignUp(offset, fieldAlign);
            fields.Add(new DdsField(tokens[1], scalar, nested, repeat, arrayLength, bound, offset));
            offset += size;
            align = Math.Max(align, fieldAlign);
        }

        open.Remove(key);
        return done[key] = new DdsStructType(key, fields, AlignUp(offset, align), align, fixedSize);
    }

    private static (string Type, DdsRepeat Repeat, int Length) SplitArray(string token, string key)
    {
        int bracket = token.IndexOf('[', StringComparison.Ordinal);
        if (bracket < 0)
        {
            return (token, DdsRepeat.Single, 0);
        }

        string inside = token[(bracket + 1)..^1];
        if (inside.Length == 0)
        {
            return (token[..bracket], DdsRepeat.Sequence, 0);
        }

        return int.TryParse(inside, out int length) && length > 0
            ? (token[..bracket], DdsRepeat.Array, length)
            : throw new NotSupportedException($"'{token}' in '{key}': bounded sequences are not supported.");
    }

    private static DdsScalar? ScalarOf(string type, out int bound)
    {
        bound = 0;
        if (type.StartsWith("string<=", StringComparison.Ordinal))
        {
            bound = int.Parse(type["string<=".Length..]);
            return DdsScalar.BoundedString;
        }

        return type switch
        {
            "bool" => DdsScalar.Bool,
            "byte" or "char" or "uint8" => DdsScalar.UInt8,
            "int8" => DdsScalar.Int8,
            "uint16" => DdsScalar.UInt16,
            "int16" => DdsScalar.Int16,
            "uint32" => DdsScalar.UInt32,
            "int32" => DdsScalar.Int32,
            "uint64" => DdsScalar.UInt64,
            "int64" => DdsScalar.Int64,
            "float32" => DdsScalar.Float32,
            "float64" => DdsScalar.Float64,
            "string" => DdsScalar.String,
            "wstring" => throw new NotSupportedException("wstring is not supported (its CDR_Legacy form is not portable)."),
            _ => null,
        };
    }

    private static int AlignUp(int value, int align) => (value + align - 1) / align * align;
}
