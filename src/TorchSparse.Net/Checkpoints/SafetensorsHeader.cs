using System.Text.Json;
using System.Text.Unicode;

namespace TorchSparse.Checkpoints;

/// <summary>One tensor of a safetensors header: element type, shape and byte range within the data buffer.</summary>
internal sealed record SafetensorsEntry(string Name, StorageKind Kind, int[] Shape, long Begin, long End);

/// <summary>
/// The JSON header of a safetensors file, parsed and checked against the size of the data buffer that follows it:
/// every tensor's byte range lies in the buffer, holds exactly numel × item size bytes, and the ranges tile the
/// buffer with neither gaps nor overlaps (the format's rule). Faults throw <see cref="InvalidDataException"/> naming
/// the tensor; the caller adds the file.
/// </summary>
internal sealed class SafetensorsHeader
{
    /// <summary>Key of the optional string-to-string metadata object.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>Largest header accepted, the same cap as the reference implementation: real headers are a few MB.
    /// </summary>
    public const long MaxLength = 100L << 20;

    private static readonly Dictionary<string, StorageKind> Kinds = new(StringComparer.Ordinal)
    {
        ["F32"] = StorageKind.Float,
        ["F16"] = StorageKind.Half,
        ["BF16"] = StorageKind.BFloat16,
        ["F64"] = StorageKind.Double,
        ["I32"] = StorageKind.Int,
        ["I64"] = StorageKind.Long,
    };

    private SafetensorsHeader(List<SafetensorsEntry> entries, Dictionary<string, string> metadata)
    {
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>The tensors in header order.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The safetensors dtype name of a storage kind this engine writes or reads.</summary>
    public static string DTypeName(StorageKind kind) => Kinds.First(pair => pair.Value == kind).Key;

    /// <summary>Parses <paramref name="json"/> (the header bytes) for a data buffer of <paramref name="bufferLength"/>
    /// bytes.</summary>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> json, long bufferLength)
    {
        if (json.IsEmpty || json[0] != (byte)'{')
        {
            throw new InvalidDataException("header does not start with '{'");
        }

        // The JSON reader checks UTF-8 only where it decodes a string, and then with a vague message.
        if (!Utf8.IsValid(json))
        {
            throw new InvalidDataException("header is not valid UTF-8");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"header is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var entries = new List<SafetensorsEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name))
                {
                    throw new InvalidDataException($"'{property.Name}' occurs twice in the header");
                }

                if (property.Name == MetadataKey)
                {
                    ReadMetadata(property.Value, metadata);
                }
                else
                {
                    entries.Add(ReadEntry(property.Name, property.Value));
                }
            }

            CheckTiling(entries, bufferLength);
            return new SafetensorsHeader(entries, metadata);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"'{MetadataKey}' is a JSON {value.ValueKind}, not an object");
        }

        foreach (JsonProperty item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw new InvalidDataException($"'{MetadataKey}' entry '{item.Name}' is not a string");
            }

            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
            {
                throw new InvalidDataException($"'{MetadataKey}' entry '{item.Name}' occurs twice");
            }
        }
    }

    private static SafetensorsEntry ReadEntry(string name, JsonElement value)
    {
        string Fault(string what) => $"tensor '{name}': {what}";
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException(Fault($"entry is a JSON {value.ValueKind}, not an object"));
        }

        string dtype = Field(value, "dtype", JsonValueKind.String, name).GetString()!;
        if (!Kinds.TryGetValue(dtype, out StorageKind kind))
        {
            throw new InvalidDataException(Fault(
                $"dtype '{dtype}' is not supported (supported: {string.Join(", ", Kinds.Keys)})"));
        }

        int[] shape = Field(value, "shape", JsonValueKind.Array, name).EnumerateArray().Select((dim, axis) =>
            Integer(dim) is long size && size >= 0 && size <= int.MaxValue
                ? (int)size
                : throw new InvalidDataException(Fault($"shape dimension {axis} ({dim.GetRawText()}) is not an " +
                    $"integer in [0, {int.MaxValue}]"))).ToArray();
        long[] offsets = Field(value, "data_offsets", JsonValueKind.Array, name).EnumerateArray().Select(o =>
            Integer(o) is long at && at >= 0
                ? at
                : throw new InvalidDataException(Fault(
                    $"data_offsets entry {o.GetRawText()} is not a non-negative integer")))
            .ToArray();
        if (offsets.Length != 2 || offsets[0] > offsets[1])
        {
            throw new InvalidDataException(Fault(
                $"data_offsets [{string.Join(", ", offsets)}] is not a [begin, end] pair with begin <= end"));
        }

        long need = ByteCount(shape, kind)
            ?? throw new InvalidDataException(Fault($"shape [{string.Join(", ", shape)}] is too large"));
        if (offsets[1] - offsets[0] != need)
        {
            throw new InvalidDataException(Fault(
                $"data_offsets [{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]} bytes, but {dtype} " +
                $"shape [{string.Join(", ", shape)}] needs {need}"));
        }

        return new SafetensorsEntry(name, kind, shape, offsets[0], offsets[1]);
    }

    /// <summary>The value of a JSON integer that fits a long; null for anything else, strings and objects included
    /// (TryGetInt64 throws on those rather than answering false).</summary>
    private static long? Integer(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long result) ? result : null;

    /// <summary>numel × item size, or null when that overflows a long.</summary>
    private static long? ByteCount(int[] shape, StorageKind kind)
    {
        // Multiplied in order with no shortcut for a 0 dimension, like the reference implementation's checked fold:
        // a shape whose running product overflows is refused even when a later 0 empties it, as Tensor, which
        // multiplies the same way, could not be built with it either.
        long bytes = TensorMaterializer.ElementSize(kind);
        foreach (int size in shape)
        {
            if (size != 0 && bytes > long.MaxValue / size)
            {
                return null;
            }

            bytes *= size;
        }

        return bytes;
    }

    private static JsonElement Field(JsonElement entry, string field, JsonValueKind kind, string name) =>
        entry.TryGetProperty(field, out JsonElement value) && value.ValueKind == kind
            ? value
            : throw new InvalidDataException($"tensor '{name}': field '{field}' is missing or not a JSON {kind}");

    /// <summary>Sorted by begin, each range must start where the previous one ended, and the last end at the
    /// buffer's end.</summary>
    private static void CheckTiling(List<SafetensorsEntry> entries, long bufferLength)
    {
        long reached = 0;
        string previous = "the start of the buffer";
        foreach (SafetensorsEntry entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.End > bufferLength)
            {
                throw new InvalidDataException(
                    $"tensor '{entry.Name}': data_offsets [{entry.Begin}, {entry.End}] reach past the " +
                    $"{bufferLength}-byte data buffer");
            }

            if (entry.Begin != reached)
            {
                throw new InvalidDataException(entry.Begin < reached
                    ? $"tensor '{entry.Name}': data_offsets [{entry.Begin}, {entry.End}] overlap {previous}"
                    : $"tensor '{entry.Name}': data_offsets begin at {entry.Begin}, leaving bytes " +
                        $"[{reached}, {entry.Begin}) after {previous} unused");
            }

            reached = entry.End;
            previous = $"tensor '{entry.Name}'";
        }

        if (reached != bufferLength)
        {
            throw new InvalidDataException(
                $"the tensors end at byte {reached} of the {bufferLength}-byte data buffer; the rest is unused");
        }
    }
}
