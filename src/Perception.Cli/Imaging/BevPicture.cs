using Perception.Datasets.Simulation;

namespace Perception.Cli.Imaging;

/// <summary>
/// A bird's-eye picture of a labelled scan: one pixel per cell, coloured by the class of the highest point in the
/// cell (SemanticKITTI's palette) and shaded by that point's height.
/// </summary>
internal static class BevPicture
{
    public static void Write(string path, LidarScan scan, float metresPerPixel = 0.1f, int size = 1200)
    {
        var rgb = new byte[size * size * 3];
        var top = new float[size * size];
        Array.Fill(top, float.NegativeInfinity);
        ReadOnlySpan<float> points = scan.Points;
        float half = size * metresPerPixel / 2;
        for (int p = 0; p < scan.Count; p++)
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
            (byte r, byte g, byte b) = Colour(scan.Label(p));

            // Heights are sensor-relative (ground near -1.7 m): ground stays bright, tall structure brightest.
            float shade = Math.Clamp(0.75f + ((z + 1.7f) / 10f), 0.6f, 1f);
            Dot(rgb, size, row, col, (byte)(r * shade), (byte)(g * shade), (byte)(b * shade));
        }

        PngWriter.Write(path, size, size, rgb);
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

    /// <summary>SemanticKITTI's colour for each class (from its label configuration, converted to RGB).</summary>
    private static (byte R, byte G, byte B) Colour(SemanticLabel label) => label switch
    {
        SemanticLabel.Car => (100, 150, 245),
        SemanticLabel.Person => (255, 30, 30),
        SemanticLabel.Road => (255, 0, 255),
        SemanticLabel.Sidewalk => (75, 0, 75),
        SemanticLabel.Building => (255, 200, 0),
        SemanticLabel.Vegetation => (0, 175, 0),
        SemanticLabel.Trunk => (135, 60, 0),
        SemanticLabel.Terrain => (150, 240, 80),
        SemanticLabel.Pole => (255, 240, 150),
        SemanticLabel.TrafficSign => (255, 0, 0),
        _ => (200, 200, 200),
    };
}
