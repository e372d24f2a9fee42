using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Perception.Datasets.IO;

/// <summary>
/// Headerless files of little-endian 4-byte values (SemanticKITTI .bin and .label): one bulk read straight into
/// the array's memory, one bulk write from it.
/// </summary>
internal static class RawArrayFile
{
    /// <summary>Reads the whole file; its size must be a multiple of <paramref name="recordBytes"/>.</summary>
    /// <exception cref="DatasetFormatException">The size is not a whole number of records.</exception>
    public static T[] Read<T>(string path, int recordBytes, string recordDescription)
        where T : unmanaged
    {
        // bufferSize 0: the read goes straight into the array, no intermediate copy.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        long length = stream.Length;
        if (length % recordBytes != 0)
        {
            throw new DatasetFormatException(path,
                $"size {length} bytes is not a multiple of {recordBytes} ({recordDescription})");
        }

        int elementSize = Unsafe.SizeOf<T>();
        if (length / elementSize > Array.MaxLength)
        {
            throw new DatasetFormatException(path, $"size {length} bytes is too large to load into one array");
        }

        var values = new T[length / elementSize];
        ReadAll(stream, path, MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    /// <summary>
    /// Reads the whole file into <paramref name="destination"/> when its size is exactly the destination's; returns
    /// false without reading otherwise, with the size in <paramref name="length"/>.
    /// </summary>
    public static bool TryReadInto<T>(string path, Span<T> destination, out long length)
        where T : unmanaged
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        length = stream.Length;
        Span<byte> bytes = MemoryMarshal.AsBytes(destination);
        if (length != bytes.Length)
        {
            return false;
        }

        ReadAll(stream, path, bytes);
        return true;
    }

    private static void ReadAll(FileStream stream, string path, Span<byte> bytes)
    {
        try
        {
            stream.ReadExactly(bytes);
        }
        catch (EndOfStreamException e)
        {
            throw new DatasetFormatException(path, $"file shrank below {bytes.Length} bytes while being read", e);
        }
    }

    /// <summary>Writes the values atomically (temporary file, then rename).</summary>
    public static void Write<T>(string path, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        using AtomicFile file = AtomicFile.Create(path);
        file.Stream.Write(MemoryMarshal.AsBytes(values));
        file.Commit();
    }
}
