namespace Perception.Training.Tests;

/// <summary>The augmentation is a similarity transform about the z axis (rotation and uniform scale), optionally a
/// mirror in y, plus bounded jitter; remission never changes. Checked through invariants, not the formula.</summary>
public sealed class ScanAugmenterTests
{
    private static readonly float[] Points =
    [
        10f, 2f, -1.5f, 0.3f,
        -4f, 7f, 0.5f, 0.9f,
        0.5f, -12f, 2f, 0.1f,
        30f, 30f, -1.7f, 0.0f,
    ];

    [Fact]
    public void Off_settings_give_the_points_back()
    {
        var augmenter = new ScanAugmenter(new AugmentSection { Rotate = false, ScaleMin = 1, ScaleMax = 1 });
        Assert.Equal(Points, augmenter.Apply(Points, new Random(1)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Distances_scale_uniformly_and_heights_scale_alone(int seed)
    {
        float[] moved = new ScanAugmenter(new AugmentSection { FlipY = true }).Apply(Points, new Random(seed));
        double scale = moved[2] / Points[2];
        Assert.InRange(scale, 0.95, 1.05);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(Points[(i * 4) + 2] * scale, moved[(i * 4) + 2], 1e-5);
            Assert.Equal(Points[(i * 4) + 3], moved[(i * 4) + 3]);
            Assert.Equal(Radius(Points, i) * scale, Radius(moved, i), 1e-4);
            for (int j = 0; j < i; j++)
            {
                Assert.Equal(Distance(Points, i, j) * scale, Distance(moved, i, j), 1e-3);
            }
        }
    }

    [Fact]
    public void Rotation_angles_spread_over_the_circle()
    {
        var augmenter = new ScanAugmenter(new AugmentSection { ScaleMin = 1, ScaleMax = 1 });
        double[] angles = [.. Enumerable.Range(0, 400).Select(seed =>
        {
            float[] moved = augmenter.Apply(Points.AsSpan(0, 4), new Random(seed));
            return Math.Atan2(moved[1], moved[0]) - Math.Atan2(Points[1], Points[0]);
        })];
        Assert.InRange(angles.Average(Math.Cos), -0.15, 0.15);
        Assert.InRange(angles.Average(Math.Sin), -0.15, 0.15);
    }

    [Fact]
    public void A_mirror_flips_the_handedness()
    {
        var augmenter = new ScanAugmenter(new AugmentSection { Rotate = false, ScaleMin = 1, ScaleMax = 1, FlipY = true });
        int[] flips = [.. Enumerable.Range(0, 100).Select(seed => augmenter.Apply(Points, new Random(seed))[1] < 0 ? 1 : 0)];
        Assert.InRange(flips.Sum(), 30, 70);
        float[] flipped = Enumerable.Range(0, 100).Select(seed => augmenter.Apply(Points, new Random(seed))).First(p => p[1] < 0);
        for (int i = 0; i < Points.Length; i += 4)
        {
            Assert.Equal([Points[i], -Points[i + 1], Points[i + 2], Points[i + 3]], flipped[i..(i + 4)]);
        }
    }

    [Fact]
    public void Jitter_stays_within_three_sigma()
    {
        var augmenter = new ScanAugmenter(new AugmentSection { Rotate = false, ScaleMin = 1, ScaleMax = 1, Jitter = 0.02 });
        float[] moved = augmenter.Apply(Points, new Random(5));
        double largest = Enumerable.Range(0, Points.Length).Where(i => i % 4 != 3).Max(i => Math.Abs(moved[i] - Points[i]));
        Assert.InRange(largest, 1e-6, 0.06 + 1e-6);
    }

    private static double Radius(float[] p, int i) => Math.Sqrt((p[i * 4] * p[i * 4]) + (p[(i * 4) + 1] * p[(i * 4) + 1]));

    private static double Distance(float[] p, int i, int j)
    {
        double sum = 0;
        for (int a = 0; a < 3; a++)
        {
            double d = p[(i * 4) + a] - p[(j * 4) + a];
            sum += d * d;
        }

        return Math.Sqrt(sum);
    }
}
