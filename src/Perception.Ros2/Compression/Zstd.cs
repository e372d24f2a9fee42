using System.Runtime.InteropServices;

namespace Perception.Ros2.Compression;

/// <summary>zstd frames through Debian's libzstd.so.1 (package libzstd1).</summary>
internal static unsafe partial class Zstd
{
    private const string Library = "libzstd.so.1";

    /// <summary>zstd's default level, what mcap-cpp (and so rosbag2) uses by default.</summary>
    private const int DefaultLevel = 3;

    public static byte[] Compress(ReadOnlySpan<byte> source)
    {
        NativeCodecLibrary.Require(Library, "libzstd1");
        var target = new byte[(int)ZSTD_compressBound((nuint)source.Length)];
        nuint written;
        fixed (byte* src = source)
        fixed (byte* dst = target)
        {
            written = ZSTD_compress(dst, (nuint)target.Length, src, (nuint)source.Length, DefaultLevel);
        }

        ThrowIfError(written, "compress");
        Array.Resize(ref target, (int)written);
        return target;
    }

    /// <summary>Decompresses one frame into exactly <paramref name="destination"/> (the chunk's declared size).</summary>
    public static void Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        NativeCodecLibrary.Require(Library, "libzstd1");
        nuint written;
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            written = ZSTD_decompress(dst, (nuint)destination.Length, src, (nuint)source.Length);
        }

        ThrowIfError(written, "decompress");
        if (written != (nuint)destination.Length)
        {
            throw new InvalidDataException($"zstd frame holds {written} bytes but the chunk declares {destination.Length}");
        }
    }

    private static void ThrowIfError(nuint code, string operation)
    {
        if (ZSTD_isError(code) != 0)
        {
            throw new InvalidDataException($"zstd {operation} failed: {Marshal.PtrToStringUTF8(ZSTD_getErrorName(code))}");
        }
    }

    [LibraryImport(Library)]
    private static partial nuint ZSTD_compressBound(nuint srcSize);

    [LibraryImport(Library)]
    private static partial nuint ZSTD_compress(byte* dst, nuint dstCapacity, byte* src, nuint srcSize, int level);

    [LibraryImport(Library)]
    private static partial nuint ZSTD_decompress(byte* dst, nuint dstCapacity, byte* src, nuint srcSize);

    [LibraryImport(Library)]
    private static partial uint ZSTD_isError(nuint code);

    [LibraryImport(Library)]
    private static partial nint ZSTD_getErrorName(nuint code);
}
