using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;
using TorchSparse.IO;

namespace TorchSparse.Checkpoints;

/// <summary>
/// The safetensors format: an unsigned 64-bit little-endian header length N, N bytes of UTF-8 JSON
/// (<c>{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {string: string}}</c>), then the data
/// buffer the offsets point into. <see cref="TorchCheckpoint.Load"/> reads these files; this class writes them.
/// </summary>
public static class Safetensors
{
    private const int LengthBytes = 8;

    /// <summary>
    /// Writes <paramref name="tensors"/> (and optional string <paramref name="metadata"/>) as a safetensors file,
    /// atomically: a temporary file in the same folder, then a rename over <paramref name="path"/>. The data buffer
    /// holds the tensors by descending item size, then by ordinal name, so every tensor is aligned to its item size;
    /// the header lists <c>__metadata__</c> first, then the tensors in buffer order, padded with spaces to a multiple
    /// of 8 bytes. The same tensors and metadata always give the same bytes.
    /// </summary>
    /// <exception cref="ArgumentException">A name is <c>__metadata__</c>, which the format reserves.</exception>
    public static void Save(
        string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.ContainsKey(SafetensorsHeader.MetadataKey))
        {
            throw new ArgumentException(
                $"'{SafetensorsHeader.MetadataKey}' is reserved for metadata and cannot name a tensor",
                nameof(tensors));
        }

        KeyValuePair<string, Tensor>[] ordered = tensors
            .OrderByDescending(pair => DTypeInfo.SizeOf(pair.Value.DType))
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .ToArray();
        byte[] header = Header(ordered, metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[LengthBytes];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach ((_, Tensor tensor) in ordered)
            {
                stream.Write(TensorBytes.LittleEndian(tensor));
            }
        });
    }

    /// <summary>The <c>__metadata__</c> strings of a safetensors file (empty when it has none). The whole header is
    /// checked, as by a load; the data is not read.</summary>
    /// <exception cref="CheckpointException">The file is missing or its header is invalid; the message names the
    /// file.</exception>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path) =>
        Guarded(path, () =>
        {
            using FileStream stream = File.OpenRead(path);
            return ReadHeader(stream).Metadata;
        });

    /// <summary>Whether the first bytes of a file (at least 9) look like safetensors: a header length below the
    /// header cap followed by '{'. Zip and pickle files start with bytes that make a far larger length.</summary>
    internal static bool Sniff(ReadOnlySpan<byte> start) =>
        start.Length > LengthBytes
        && BinaryPrimitives.ReadUInt64LittleEndian(start) <= SafetensorsHeader.MaxLength
        && start[LengthBytes] == (byte)'{';

    /// <summary>Reads every tensor; see <see cref="TorchCheckpoint.Load"/> for the conversions.</summary>
    internal static Dictionary<string, Tensor> Load(string path) =>
        Guarded(path, () =>
        {
            using FileStream stream = File.OpenRead(path);
            SafetensorsHeader header = ReadHeader(stream);
            long bufferStart = stream.Position;
            var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (SafetensorsEntry entry in header.Entries)
            {
                if (entry.End - entry.Begin > Array.MaxLength)
                {
                    throw new InvalidDataException($"tensor '{entry.Name}' is too large ({entry.End - entry.Begin} " +
                        "bytes)");
                }

                byte[] raw = new byte[entry.End - entry.Begin];
                stream.Position = bufferStart + entry.Begin;
                stream.ReadExactly(raw);
                string name = StateDictKeys.WithoutModulePrefix(entry.Name);
                if (!tensors.TryAdd(name, TensorMaterializer.FromContiguous(entry.Kind, raw, entry.Shape)))
                {
                    throw new InvalidDataException(StateDictKeys.DuplicateMessage(name));
                }
            }

            return tensors;
        });

    private static SafetensorsHeader ReadHeader(FileStream stream)
    {
        Span<byte> lengthBytes = stackalloc byte[LengthBytes];
        if (stream.ReadAtLeast(lengthBytes, LengthBytes, throwOnEndOfStream: false) < LengthBytes)
        {
            throw new InvalidDataException($"file is {stream.Length} bytes, too short for the 8-byte header length");
        }

        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        long available = stream.Length - LengthBytes;
        if (length > SafetensorsHeader.MaxLength || (long)length > available)
        {
            throw new InvalidDataException($"header length {length} exceeds the {available} bytes after it " +
                $"(or the {SafetensorsHeader.MaxLength}-byte cap)");
        }

        byte[] json = new byte[length];
        stream.ReadExactly(json);
        return SafetensorsHeader.Parse(json, available - (long)length);
    }

    private static byte[] Header(KeyValuePair<string, Tensor>[] ordered, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping writes non-ASCII names as UTF-8, which the format expects; HTML safety is irrelevant here.
        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using (var json = new Utf8JsonWriter(buffer, options))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(SafetensorsHeader.MetadataKey);
                foreach ((string key, string value) in metadata.OrderBy(pair => pair.Key, StringComparer.Ordinal))
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach ((string name, Tensor tensor) in ordered)
            {
                long end = offset + (tensor.Length * DTypeInfo.SizeOf(tensor.DType));
                json.WriteStartObject(name);
                json.WriteString("dtype", SafetensorsHeader.DTypeName(TensorBytes.KindOf(tensor.DType, name)));
                json.WriteStartArray("shape");
                Array.ForEach(tensor.Shape, size => json.WriteNumberValue(size));
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteEndObject();
                offset = end;
            }

            json.WriteEndObject();
        }

        // Pad so the data buffer starts at a multiple of 8 bytes, which keeps every tensor aligned.
        while (buffer.Length % LengthBytes != 0)
        {
            buffer.WriteByte((byte)' ');
        }

        return buffer.ToArray();
    }

    /// <summary>Runs a read, turning every fault into a <see cref="CheckpointException"/> naming the file.</summary>
    private static T Guarded<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not (OutOfMemoryException or CheckpointException))
        {
            throw new CheckpointException($"safetensors file '{path}': {e.Message}", e);
        }
    }
}
