namespace Perception.Training;

/// <summary>
/// spvnas's training transforms of a scan: x, y, z multiplied by a rotation about z (angle uniform in [0, 2π)) and a
/// scale (uniform in [min, max]), optionally mirrored in y and jittered. Remission is kept. The transformed values
/// are also the network's input features, as in spvnas.
/// </summary>
public sealed class ScanAugmenter(AugmentSection settings)
{
    /// <summary>A transformed copy of <paramref name="points"/> (rows of 4 floats), drawing from <paramref name="random"/>.</summary>
    public float[] Apply(ReadOnlySpan<float> points, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        double angle = settings.Rotate ? random.NextDouble() * 2 * Math.PI : 0;
        double scale = settings.ScaleMin + (random.NextDouble() * (settings.ScaleMax - settings.ScaleMin));
        double flip = settings.FlipY && random.NextDouble() < 0.5 ? -1 : 1;
        (double sin, double cos) = Math.SinCos(angle);

        // spvnas: xyz @ [[cos, sin, 0], [-sin, cos, 0], [0, 0, 1]] * scale.
        float xx = (float)(cos * scale), xy = (float)(sin * scale), yx = (float)(-sin * scale), yy = (float)(cos * scale);
        float zz = (float)scale;
        var result = new float[points.Length];
        for (int i = 0; i < points.Length; i += 4)
        {
            float x = points[i], y = points[i + 1] * (float)flip, z = points[i + 2];
            result[i] = (x * xx) + (y * yx);
            result[i + 1] = (x * xy) + (y * yy);
            result[i + 2] = z * zz;
            result[i + 3] = points[i + 3];
        }

        if (settings.Jitter > 0)
        {
            Jitter(result, settings.Jitter, random);
        }

        return result;
    }

    private static void Jitter(float[] points, double sigma, Random random)
    {
        for (int i = 0; i < points.Length; i += 4)
        {
            for (int a = 0; a < 3; a++)
            {
                points[i + a] += (float)Math.Clamp(Gaussian(random) * sigma, -3 * sigma, 3 * sigma);
            }
        }
    }

    // Box-Muller: one standard normal draw from two uniforms.
    private static double Gaussian(Random random)
    {
        double u = 1 - random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * random.NextDouble());
    }
}
