namespace Perception.Viewer.Scenes;

/// <summary>
/// The points of one input, finite ones only: xyz float32 rows, intensity (when the input has one) and official
/// SemanticKITTI classes 0..19 (when it has labels). <see cref="SkippedPoints"/> counts the points dropped for a NaN
/// or infinite coordinate: they are skipped, not refused, because real drivers mark missing returns that way.
/// </summary>
public sealed class SceneCloud
{
    public SceneCloud(string source, float[] xyz, float[]? intensity, int[]? classes, int skippedPoints,
        int[]? predictions = null)
    {
        int count = xyz.Length / 3;
        if (xyz.Length % 3 != 0 || (intensity is not null && intensity.Length != count)
            || (classes is not null && classes.Length != count) || (predictions is not null && predictions.Length != count))
        {
            throw new ArgumentException($"{source}: {xyz.Length} coordinates, {intensity?.Length} intensities, "
                + $"{classes?.Length} classes and {predictions?.Length} predictions do not describe the same points.", nameof(xyz));
        }

        Source = source;
        Xyz = xyz;
        Intensity = intensity;
        Classes = classes;
        Predictions = predictions;
        SkippedPoints = skippedPoints;
    }

    /// <summary>The file the points came from.</summary>
    public string Source { get; }

    public int Count => Xyz.Length / 3;

    public float[] Xyz { get; }

    public float[]? Intensity { get; }

    /// <summary>Official SemanticKITTI class per point (0 unlabeled, 1..19), or null without labels.</summary>
    public int[]? Classes { get; }

    /// <summary>A model's official class per point (same ids as <see cref="Classes"/>), to compare with them; or null.
    /// </summary>
    public int[]? Predictions { get; }

    public int SkippedPoints { get; }

    /// <summary>Keeps the points whose x, y and z are all finite; the rest are counted in SkippedPoints. The rows
    /// hold <paramref name="stride"/> floats: x, y, z, then the intensity when <paramref name="hasIntensity"/>; classes
    /// and predictions (either may be null) are kept or dropped with their points.</summary>
    public static SceneCloud FromRows(string source, ReadOnlySpan<float> xyzi, int stride, bool hasIntensity, int[]? classes,
        int[]? predictions = null)
    {
        int rows = xyzi.Length / stride;
        var xyz = new List<float>(rows * 3);
        var intensity = hasIntensity ? new List<float>(rows) : null;
        var kept = classes is null ? null : new List<int>(rows);
        var keptPredictions = predictions is null ? null : new List<int>(rows);
        for (int p = 0; p < rows; p++)
        {
            ReadOnlySpan<float> row = xyzi.Slice(p * stride, stride);
            if (!float.IsFinite(row[0]) || !float.IsFinite(row[1]) || !float.IsFinite(row[2]))
            {
                continue;
            }

            xyz.AddRange(row[..3]);
            intensity?.Add(row[3]);
            kept?.Add(classes![p]);
            keptPredictions?.Add(predictions![p]);
        }

        if (xyz.Count == 0)
        {
            throw new SceneInputException(source, rows == 0 ? "the point cloud is empty"
                : $"all {rows} points have a NaN or infinite coordinate; nothing to show");
        }

        return new SceneCloud(source, [.. xyz], intensity?.ToArray(), kept?.ToArray(), rows - (xyz.Count / 3),
            keptPredictions?.ToArray());
    }
}
