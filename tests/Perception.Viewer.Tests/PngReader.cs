using System.Buffers.Binary;
using System.IO.Compression;
using Perception.Viewer.Imaging;

namespace Perception.Viewer.Tests;

/// <summary>
/// Decodes 8-bit truecolour PNGs as the PNG specification defines them (chunks, one zlib stream over all IDATs,
/// the five row filters), written independently of the SDK's writer so the reference pictures are read by a
/// second implementation.
/// </summary>
internal static class PngReader
{
    public static RgbImage Read(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], file[..8]);
        int width = 0, height = 0, channels = 0;
        using var compressed = new MemoryStream();
        for (int at = 8; at < file.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(at));
            string type = System.Text.Encoding.ASCII.GetString(file, at + 4, 4);
            ReadOnlySpan<byte> data = file.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                (width, height) = (BinaryPrimitives.ReadInt32BigEndian(data), BinaryPrimitives.ReadInt32BigEndian(data[4..]));
                Assert.Equal(8, data[8]);
                channels = data[9] switch { 2 => 3, 6 => 4, _ => throw new InvalidDataException($"colour type {data[9]}") };
            }
            else if (type == "IDAT")
            {
                compressed.Write(data);
            }

            at += 12 + length;
        }

        compressed.Position = 0;
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionMode.Decompress))
        {
            zlib.CopyTo(inflated);
        }

        return new RgbImage(width, height, Unfilter(inflated.ToArray(), width, height, channels));
    }

    private static byte[] Unfilter(byte[] raw, int width, int height, int channels)
    {
        int stride = width * channels;
        var pixels = new byte[height * stride];
        for (int row = 0; row < height; row++)
        {
            byte filter = raw[row * (stride + 1)];
            for (int i = 0; i < stride; i++)
            {
                int x = raw[(row * (stride + 1)) + 1 + i];
                int a = i >= channels ? pixels[(row * stride) + i - channels] : 0;
                int b = row > 0 ? pixels[((row - 1) * stride) + i] : 0;
                int c = row > 0 && i >= channels ? pixels[((row - 1) * stride) + i - channels] : 0;
                pixels[(row * stride) + i] = (byte)(x + filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"filter {filter}"),
                });
            }
        }

        if (channels == 3)
        {
            return pixels;
        }

        var rgb = new byte[width * height * 3];
        for (int p = 0; p < width * height; p++)
        {
            pixels.AsSpan(p * 4, 3).CopyTo(rgb.AsSpan(p * 3));
        }

        return rgb;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
