using System.Buffers.Binary;
using System.IO.Compression;
using TorchSparse.IO;

namespace Perception.Viewer.Imaging;

/// <summary>Writes 8-bit RGB images as PNG (IHDR, one zlib IDAT, IEND), atomically: temp file, then rename.</summary>
internal static class PngWriter
{
    public static void Write(string path, int width, int height, ReadOnlySpan<byte> rgb)
    {
        if (rgb.Length != width * height * 3)
        {
            throw new ArgumentException($"expected {width * height * 3} RGB bytes, got {rgb.Length}.", nameof(rgb));
        }

        string full = Path.GetFullPath(path);
        string temp = full + ".tmp-" + Environment.ProcessId;
        using (var file = File.Create(temp))
        {
            file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
            Span<byte> header = stackalloc byte[13];
            BinaryPrimitives.WriteInt32BigEndian(header, width);
            BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
            header[8] = 8; // bit depth
            header[9] = 2; // truecolour RGB
            WriteChunk(file, "IHDR", header);
            WriteChunk(file, "IDAT", Compress(width, height, rgb));
            WriteChunk(file, "IEND", []);
        }

        File.Move(temp, full, overwrite: true);
    }

    private static byte[] Compress(int width, int height, ReadOnlySpan<byte> rgb)
    {
        using var buffer = new MemoryStream();
        using (var zlib = new ZLibStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int y = 0; y < height; y++)
            {
                zlib.WriteByte(0); // filter: none
                zlib.Write(rgb.Slice(y * width * 3, width * 3));
            }
        }

        return buffer.ToArray();
    }

    private static void WriteChunk(Stream stream, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        byte[] typeBytes = [(byte)type[0], (byte)type[1], (byte)type[2], (byte)type[3]];
        stream.Write(typeBytes);
        stream.Write(data);
        uint crc = Crc32.Update(Crc32.Update(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        Span<byte> sum = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(sum, crc);
        stream.Write(sum);
    }
}
