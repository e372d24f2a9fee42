namespace Perception.Ros2.Compression;

/// <summary>MCAP chunk compression; the strings are what the Chunk record's <c>compression</c> field holds.</summary>
public enum McapCompression
{
    None,
    Zstd,
    Lz4,
}

/// <summary>The compression library a file needs is not installed (Debian: libzstd1, liblz4-1).</summary>
public sealed class CompressionUnavailableException(string library, string package)
    : Exception($"{library} could not be loaded; install it with: apt-get install {package}");

/// <summary>Checks once per library that it loads, so a missing one fails with a clear message, not a P/Invoke error.
/// </summary>
internal static class NativeCodecLibrary
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Loadable = new();

    /// <exception cref="CompressionUnavailableException">The library cannot be loaded.</exception>
    public static void Require(string library, string package)
    {
        if (!Loadable.GetOrAdd(library, name => System.Runtime.InteropServices.NativeLibrary.TryLoad(name, out _)))
        {
            throw new CompressionUnavailableException(library, package);
        }
    }
}

/// <summary>Dispatch between the MCAP compression names and the native codecs.</summary>
internal static class ChunkCodec
{
    public static string Name(McapCompression compression) => compression switch
    {
        McapCompression.Zstd => "zstd",
        McapCompression.Lz4 => "lz4",
        _ => "",
    };

    public static McapCompression? Parse(string name) => name switch
    {
        "" => McapCompression.None,
        "zstd" => McapCompression.Zstd,
        "lz4" => McapCompression.Lz4,
        _ => null,
    };

    public static byte[] Compress(McapCompression compression, ReadOnlySpan<byte> data) => compression switch
    {
        McapCompression.Zstd => Zstd.Compress(data),
        McapCompression.Lz4 => Lz4Frame.Compress(data),
        _ => data.ToArray(),
    };

    /// <summary>The decompressed bytes, exactly <paramref name="declaredSize"/> of them; another size is an error.
    /// </summary>
    /// <exception cref="InvalidDataException">The data is corrupt or holds another size.</exception>
    public static byte[] Decompress(McapCompression compression, ReadOnlySpan<byte> source, int declaredSize) =>
        compression switch
        {
            McapCompression.Zstd => Zstd.Decompress(source, declaredSize),
            McapCompression.Lz4 => Lz4Frame.Decompress(source, declaredSize),
            _ => source.Length == declaredSize ? source.ToArray() : throw new InvalidDataException(
                $"uncompressed chunk holds {source.Length} bytes but declares {declaredSize}"),
        };
}
