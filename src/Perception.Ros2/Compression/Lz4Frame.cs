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

    /// <summary>Decompresses a whole frame into exactly <paramref name="destination"/>.</summary>
    public static void Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        NativeCodecLibrary.Require(Library, "liblz4-1");
        nint context;
        ThrowIfError(LZ4F_createDecompressionContext(&context, ApiVersion), "create a context");
        try
        {
            nuint read = 0, written = 0, hint = 1;
            fixed (byte* src = source)
            fixed (byte* dst = destination)
            {
                // Each call consumes input and fills output; hint 0 means the frame is complete.
                while (hint != 0 && read < (nuint)source.Length)
                {
                    nuint inSize = (nuint)source.Length - read, outSize = (nuint)destination.Length - written;
                    hint = LZ4F_decompress(context, dst + written, &outSize, src + read, &inSize, null);
                    ThrowIfError(hint, "decompress");
                    if (inSize == 0 && outSize == 0)
                    {
                        break; // no progress: the output is full but the frame goes on
                    }

                    read += inSize;
                    written += outSize;
                }
            }

            if (hint != 0 || written != (nuint)destination.Length)
            {
                throw new InvalidDataException(hint != 0
                    ? $"lz4 frame is incomplete or larger than the declared {destination.Length} bytes"
                    : $"lz4 frame holds {written} bytes but the chunk declares {destination.Length}");
            }
        }
        finally
        {
            _ = LZ4F_freeDecompressionContext(context);
        }
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
