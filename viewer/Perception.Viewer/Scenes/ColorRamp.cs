namespace Perception.Viewer.Scenes;

/// <summary>
/// Colours for a scalar (intensity, height): five stops of matplotlib's viridis, dark blue-violet to yellow, so low
/// and high values stay apart for colour-blind readers and on a black background the lowest values remain visible.
/// </summary>
internal static class ColorRamp
{
    private static readonly Rgb[] Stops =
    [
        new(68, 1, 84), new(59, 82, 139), new(33, 145, 140), new(94, 201, 98), new(253, 231, 37),
    ];

    /// <summary>The colour of <paramref name="value"/> on [low, high]; values outside are clamped.</summary>
    public static Rgb At(float value, float low, float high)
    {
        float t = high > low ? Math.Clamp((value - low) / (high - low), 0f, 1f) : 0.5f;
        float scaled = t * (Stops.Length - 1);
        int stop = Math.Min((int)scaled, Stops.Length - 2);
        return Rgb.Lerp(Stops[stop], Stops[stop + 1], scaled - stop);
    }

    /// <summary>The value below which <paramref name="fraction"/> of <paramref name="values"/> lie (nearest rank); the
    /// colour range uses the 1st and 99th percentiles so a few outliers do not wash out the rest.</summary>
    public static float Percentile(ReadOnlySpan<float> values, float fraction)
    {
        float[] sorted = values.ToArray();
        Array.Sort(sorted);
        return sorted[Math.Clamp((int)(fraction * (sorted.Length - 1)), 0, sorted.Length - 1)];
    }
}
