using Perception.Datasets.Simulation;

namespace Perception.Cli.Imaging;

/// <summary>
/// A bird's-eye picture of a labelled scan: one pixel per cell, coloured by the class of the highest point in the
/// cell (SemanticKITTI's palette) and shaded by that point's height.
/// </summary>
internal static class BevPicture
{
    public static void Write(string path, LidarScan scan, float metresPerPixel = 0.1f, int size = 1200) =>
        Write(path, scan.Points, p => (int)scan.Label(p), metresPerPixel, size);

    /// <summary>A picture framed to the cloud: centred on the sensor, out to the farthest point (at most 60 m) so a
    /// small scene is not lost in the middle of the image.</summary>
    public static void WriteFitted(string path, ReadOnlySpan<float> points, Func<int, int> trainId, int size = 1200)
    {
        float reach = 1f;
        for (int p = 0; p < points.Length / 4; p++)
        {
            reach = Math.Max(reach, Math.Max(Math.Abs(points[p * 4]), Math.Abs(points[(p * 4) + 1])));
        }

        Write(path, points, trainId, 2 * Math.Min(reach * 1.05f, 60f) / size, size);
    }

    /// <summary>Points as float [N * 4] rows; <paramref name="trainId"/> gives each point's official SemanticKITTI
    /// class (1..19, 0 unlabeled).</summary>
    public static void Write(string path, ReadOnlySpan<float> points, Func<int, int> trainId, float metresPerPixel = 0.1f, int size = 1200) =>
        PngWriter.Write(path, size, size, Render(points, trainId, metresPerPixel, size));

    /// <summary>Two views of the same points side by side (e.g. ground truth and prediction), a grey bar between.</summary>
    public static void WriteSideBySide(string path, ReadOnlySpan<float> points, Func<int, int> left, Func<int, int> right,
        float metresPerPixel = 0.1f, int size = 800)
    {
        const int Gap = 8;
        byte[] a = Render(points, left, metresPerPixel, size), b = Render(points, right, metresPerPixel, size);
        int width = (2 * size) + Gap;
        var rgb = new byte[width * size * 3];
        rgb.AsSpan().Fill(96);
        for (int row = 0; row < size; row++)
        {
            a.AsSpan(row * size * 3, size * 3).CopyTo(rgb.AsSpan(row * width * 3));
            b.AsSpan(row * size * 3, size * 3).CopyTo(rgb.AsSpan(((row * width) + size + Gap) * 3));
        }

        PngWriter.Write(path, width, size, rgb);
    }

    private static byte[] Render(ReadOnlySpan<float> points, Func<int, int> trainId, float metresPerPixel, int size)
    {
        var rgb = new byte[size * size * 3];
        var top = new float[size * size];
        Array.Fill(top, float.NegativeInfinity);
        float half = size * metresPerPixel / 2;
        for (int p = 0; p < points.Length / 4; p++)
        {
            float x = points[p * 4];
            float y = points[(p * 4) + 1];
            float z = points[(p * 4) + 2];
            int col = (int)((x + half) / metresPerPixel);
            int row = (int)((half - y) / metresPerPixel);
            if ((uint)col >= (uint)size || (uint)row >= (uint)size || z <= top[(row * size) + col])
            {
                continue;
            }

            top[(row * size) + col] = z;
            (byte r, byte g, byte b) = Palette[Math.Clamp(trainId(p), 0, Palette.Length - 1)];

            // Heights are sensor-relative (ground near -1.7 m): ground stays bright, tall structure brightest.
            float shade = Math.Clamp(0.75f + ((z + 1.7f) / 10f), 0.6f, 1f);
            Dot(rgb, size, row, col, (byte)(r * shade), (byte)(g * shade), (byte)(b * shade));
        }

        return rgb;
    }

    /// <summary>A 2x2 dot: far rings are one point per few pixels, single pixels would vanish.</summary>
    private static void Dot(byte[] rgb, int size, int row, int col, byte r, byte g, byte b)
    {
        for (int dr = 0; dr < 2 && row + dr < size; dr++)
        {
            for (int dc = 0; dc < 2 && col + dc < size; dc++)
            {
                int at = (((row + dr) * size) + col + dc) * 3;
                rgb[at] = r;
                rgb[at + 1] = g;
                rgb[at + 2] = b;
            }
        }
    }

    /// <summary>SemanticKITTI's colour per class 0..19 (its label configuration's color_map, BGR turned RGB).</summary>
    private static readonly (byte R, byte G, byte B)[] Palette =
    [
        (200, 200, 200), (100, 150, 245), (100, 230, 245), (30, 60, 150), (80, 30, 180), (0, 0, 255),
        (255, 30, 30), (255, 40, 200), (150, 30, 90), (255, 0, 255), (255, 150, 255), (75, 0, 75),
        (175, 0, 75), (255, 200, 0), (255, 120, 50), (0, 175, 0), (135, 60, 0), (150, 240, 80),
        (255, 240, 150), (255, 0, 0),
    ];
}
