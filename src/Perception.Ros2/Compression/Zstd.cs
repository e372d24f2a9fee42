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

    /// <summary>Decompresses the frames of <paramref name="source"/>, which must hold exactly
    /// <paramref name="declaredSize"/> bytes (the chunk's uncompressed_size); the output grows as bytes come, so a
    /// size the data does not back is never allocated.</summary>
    /// <exception cref="InvalidDataException">The data is corrupt, truncated, or holds another size.</exception>
    public static byte[] Decompress(ReadOnlySpan<byte> source, int declaredSize)
    {
        NativeCodecLibrary.Require(Library, "libzstd1");
        nint context = ZSTD_createDCtx();
        if (context == 0)
        {
            throw new InsufficientMemoryException("ZSTD_createDCtx could not allocate a decompression context.");
        }

        return StreamingDecompression.Decompress("zstd", source, declaredSize, context, Step,
            static c => _ = ZSTD_freeDCtx(c));
    }

    private static (int Read, int Written, bool FrameEnd) Step(nint context, byte* input, nuint inputLength,
        byte* output, nuint outputLength)
    {
        var inBuffer = new Buffer { Data = input, Size = inputLength };
        var outBuffer = new Buffer { Data = output, Size = outputLength };
        nuint hint = ZSTD_decompressStream(context, &outBuffer, &inBuffer);
        ThrowIfError(hint, "decompress");
        return ((int)inBuffer.Position, (int)outBuffer.Position, hint == 0);
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
    private static partial nint ZSTD_createDCtx();

    [LibraryImport(Library)]
    private static partial nuint ZSTD_freeDCtx(nint context);

    [LibraryImport(Library)]
    private static partial nuint ZSTD_decompressStream(nint context, Buffer* output, Buffer* input);

    [LibraryImport(Library)]
    private static partial uint ZSTD_isError(nuint code);

    [LibraryImport(Library)]
    private static partial nint ZSTD_getErrorName(nuint code);

    /// <summary>ZSTD_inBuffer and ZSTD_outBuffer, which share this layout: data, size, position.</summary>
    private struct Buffer
    {
        public byte* Data;
        public nuint Size;
        public nuint Position;
    }
}
