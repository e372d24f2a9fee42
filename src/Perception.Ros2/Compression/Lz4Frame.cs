using System.Runtime.InteropServices;

namespace Perception.Ros2.Compression;

/// <summary>The LZ4 frame format (what MCAP's "lz4" means) through Debian's liblz4.so.1 (package liblz4-1).</summary>
internal static unsafe partial class Lz4Frame
{
    private const string Library = "liblz4.so.1";

    /// <summary>LZ4F_VERSION of lz4frame.h: the API version a decompression context is created for.</summary>
    private const uint ApiVersion = 100;

    public static byte[] Compress(ReadOnlySpan<byte> source)
    {
        NativeCodecLibrary.Require(Library, "liblz4-1");
        // Default preferences (null): 64 KiB linked blocks, no checksums, the frame every LZ4 reader accepts.
        var target = new byte[(int)LZ4F_compressFrameBound((nuint)source.Length, null)];
        nuint written;
        fixed (byte* src = source)
        fixed (byte* dst = target)
        {
            written = LZ4F_compressFrame(dst, (nuint)target.Length, src, (nuint)source.Length, null);
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
        NativeCodecLibrary.Require(Library, "liblz4-1");
        nint context;
        ThrowIfError(LZ4F_createDecompressionContext(&context, ApiVersion), "create a context");
        return StreamingDecompression.Decompress("lz4", source, declaredSize, context, Step,
            static c => _ = LZ4F_freeDecompressionContext(c));
    }

    /// <summary>One LZ4F_decompress call; a hint of 0 means the frame is complete, and the next call starts the frame
    /// that follows (a concatenation).</summary>
    private static (int Read, int Written, bool FrameEnd) Step(nint context, byte* input, nuint inputLength,
        byte* output, nuint outputLength)
    {
        nuint inSize = inputLength, outSize = outputLength;
        nuint hint = LZ4F_decompress(context, output, &outSize, input, &inSize, null);
        ThrowIfError(hint, "decompress");
        return ((int)inSize, (int)outSize, hint == 0);
    }

    private static void ThrowIfError(nuint code, string operation)
    {
        if (LZ4F_isError(code) != 0)
        {
            throw new InvalidDataException($"lz4 {operation} failed: {Marshal.PtrToStringUTF8(LZ4F_getErrorName(code))}");
        }
    }

    [LibraryImport(Library)]
    private static partial nuint LZ4F_compressFrameBound(nuint srcSize, void* preferences);

    [LibraryImport(Library)]
    private static partial nuint LZ4F_compressFrame(byte* dst, nuint dstCapacity, byte* src, nuint srcSize,
        void* preferences);

    [LibraryImport(Library)]
    private static partial nuint LZ4F_createDecompressionContext(nint* context, uint version);

    [LibraryImport(Library)]
    private static partial nuint LZ4F_freeDecompressionContext(nint context);

    [LibraryImport(Library)]
    private static partial nuint LZ4F_decompress(nint context, byte* dst, nuint* dstSize, byte* src, nuint* srcSize,
        void* options);

    [LibraryImport(Library)]
    private static partial uint LZ4F_isError(nuint code);

    [LibraryImport(Library)]
    private static partial nint LZ4F_getErrorName(nuint code);
}
