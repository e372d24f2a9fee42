namespace Perception.Viewer.Imaging;

/// <summary>An 8-bit RGB picture, rows top-down.</summary>
public sealed class RgbImage
{
    public RgbImage(int width, int height, byte[] pixels)
    {
        if (pixels.Length != width * height * 3)
        {
            throw new ArgumentException($"a {width}x{height} RGB picture has {width * height * 3} bytes, not {pixels.Length}.",
                nameof(pixels));
        }

        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    public byte[] Pixels { get; }

    public (byte R, byte G, byte B) this[int col, int row]
    {
        get
        {
            int at = ((row * Width) + col) * 3;
            return (Pixels[at], Pixels[at + 1], Pixels[at + 2]);
        }
    }

    /// <summary>Writes the picture as PNG, atomically.</summary>
    public void Save(string path) => PngWriter.Write(path, Width, Height, Pixels);

    /// <summary>Pictures next to each other, top-aligned, with a grey bar of <paramref name="gap"/> pixels between.
    /// </summary>
    public static RgbImage SideBySide(IReadOnlyList<RgbImage> pictures, int gap = 8)
    {
        int height = pictures.Max(p => p.Height);
        int width = pictures.Sum(p => p.Width) + (gap * (pictures.Count - 1));
        var pixels = new byte[width * height * 3];
        pixels.AsSpan().Fill(96);
        int left = 0;
        foreach (RgbImage picture in pictures)
        {
            for (int row = 0; row < picture.Height; row++)
            {
                picture.Pixels.AsSpan(row * picture.Width * 3, picture.Width * 3)
                    .CopyTo(pixels.AsSpan(((row * width) + left) * 3));
            }

            left += picture.Width + gap;
        }

        return new RgbImage(width, height, pixels);
    }
}
