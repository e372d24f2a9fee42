using Perception.Viewer.Imaging;

namespace Perception.Viewer.Tests;

/// <summary>
/// How two renderings are compared. A pixel matches when each of its channels differs by at most
/// <see cref="ChannelTolerance"/> (out of 255); two pictures match when at most <see cref="MismatchFraction"/> of
/// the pixels do not. Mesa versions may place a point or a line end one pixel over; the limits allow a few such
/// pixels and nothing like a moved, missing or recoloured object (a car box alone covers more than 0.5%).
/// </summary>
internal static class ImageComparison
{
    public const int ChannelTolerance = 16;

    public const double MismatchFraction = 0.001;

    public static (int Mismatched, int Pixels, int WorstChannel) Differences(RgbImage expected, RgbImage actual)
    {
        Assert.Equal((expected.Width, expected.Height), (actual.Width, actual.Height));
        int mismatched = 0, worst = 0;
        for (int p = 0; p < expected.Width * expected.Height; p++)
        {
            int difference = 0;
            for (int c = 0; c < 3; c++)
            {
                difference = Math.Max(difference, Math.Abs(expected.Pixels[(p * 3) + c] - actual.Pixels[(p * 3) + c]));
            }

            worst = Math.Max(worst, difference);
            mismatched += difference > ChannelTolerance ? 1 : 0;
        }

        return (mismatched, expected.Width * expected.Height, worst);
    }

    public static bool Matches(RgbImage expected, RgbImage actual) =>
        Differences(expected, actual).Mismatched <= MismatchFraction * expected.Width * expected.Height;

    /// <summary>Pixels that are not the black background.</summary>
    public static int NonBackground(RgbImage picture)
    {
        int count = 0;
        for (int p = 0; p < picture.Width * picture.Height; p++)
        {
            count += picture.Pixels[p * 3] + picture.Pixels[(p * 3) + 1] + picture.Pixels[(p * 3) + 2] > 0 ? 1 : 0;
        }

        return count;
    }
}
