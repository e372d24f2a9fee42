using System.Buffers.Binary;
using Perception.Datasets.IO;

namespace Perception.Viewer.Export;

/// <summary>The GLB container (glTF 2.0 binary): a 12-byte header, a JSON chunk padded with spaces and a BIN chunk
/// padded with zeros, little-endian throughout.</summary>
internal static class GlbWriter
{
    private const uint Magic = 0x46546C67; // "glTF"
    private const uint JsonChunk = 0x4E4F534A; // "JSON"
    private const uint BinChunk = 0x004E4942; // "BIN\0"

    /// <summary>Writes the file atomically: readers never see a half-written scene.</summary>
    public static void Write(string path, byte[] json, byte[] binary)
    {
        int jsonLength = (json.Length + 3) & ~3;
        int total = 12 + 8 + jsonLength + 8 + binary.Length;
        using var file = AtomicFile.Create(path);
        Span<byte> word = stackalloc byte[4];
        foreach (uint value in (ReadOnlySpan<uint>)[Magic, 2, (uint)total, (uint)jsonLength, JsonChunk])
        {
            BinaryPrimitives.WriteUInt32LittleEndian(word, value);
            file.Stream.Write(word);
        }

        file.Stream.Write(json);
        for (int i = json.Length; i < jsonLength; i++)
        {
            file.Stream.WriteByte((byte)' ');
        }

        foreach (uint value in (ReadOnlySpan<uint>)[(uint)binary.Length, BinChunk])
        {
            BinaryPrimitives.WriteUInt32LittleEndian(word, value);
            file.Stream.Write(word);
        }

        file.Stream.Write(binary);
        file.Commit();
    }
}
