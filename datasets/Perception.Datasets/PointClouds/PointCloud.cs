using System.Numerics;

namespace Perception.Datasets.PointClouds;

/// <summary>
/// N points with named per-point fields (x, y, z, intensity, and whatever else the file carries: ring, time,
/// label, ...), each kept in its file type. <see cref="Width"/> × <see cref="Height"/> is the PCD organisation
/// (Height 1 for an unorganised cloud). Field names are kept as the file spells them; <see cref="FindIntensity"/>
/// resolves the usual spellings of the intensity channel.
/// </summary>
public sealed class PointCloud
{
    /// <summary>Field names read as the intensity channel, in order of preference.</summary>
    public static readonly IReadOnlyList<string> IntensityNames =
        ["intensity", "remission", "reflectance", "scalar_intensity", "i"];

    private readonly List<PointField> fields = [];

    /// <summary>An unorganised cloud of <paramref name="pointCount"/> points and no fields yet.</summary>
    public PointCloud(int pointCount)
        : this(pointCount, 1)
    {
    }

    /// <summary>An organised cloud of <paramref name="width"/> × <paramref name="height"/> points.</summary>
    public PointCloud(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        Width = width;
        Height = height;
        PointCount = checked(width * height);
    }

    public int PointCount { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Sensor position of the PCD VIEWPOINT (zero when the file has none).</summary>
    public Vector3 ViewpointOrigin { get; set; } = Vector3.Zero;

    /// <summary>Sensor orientation of the PCD VIEWPOINT (identity when the file has none).</summary>
    public Quaternion ViewpointOrientation { get; set; } = Quaternion.Identity;

    /// <summary>Fields in file order.</summary>
    public IReadOnlyList<PointField> Fields => fields;

    /// <summary>Creates a zero-filled field of <paramref name="count"/> values per point.</summary>
    /// <exception cref="ArgumentException">The name is empty, contains white space or is taken.</exception>
    public PointField AddField(string name, PointFieldType type, int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (!IsFieldName(name))
        {
            throw new ArgumentException(
                $"Field name '{name}' must be non-empty and without white space.", nameof(name));
        }

        if (FindField(name) is not null)
        {
            throw new ArgumentException($"The cloud already has a field named '{name}'.", nameof(name));
        }

        var field = new PointField(name, type, count, PointCount);
        fields.Add(field);
        return field;
    }

    /// <summary>
    /// Whether <paramref name="name"/> can name a field: non-empty and without white space. The file readers check
    /// header names with it, since their headers split on spaces and tabs only and let other white space through.
    /// </summary>
    internal static bool IsFieldName(string name) => !string.IsNullOrEmpty(name) && !name.Any(char.IsWhiteSpace);

    /// <summary>The field with exactly this name, or null.</summary>
    public PointField? FindField(string name) => fields.Find(f => f.Name == name);

    /// <summary>The intensity channel: the first of <see cref="IntensityNames"/> present, or null.</summary>
    public PointField? FindIntensity()
    {
        foreach (string name in IntensityNames)
        {
            if (FindField(name) is { } field)
            {
                return field;
            }
        }

        return null;
    }

    /// <summary>
    /// Row-major [N, 4] float32 (x, y, z, intensity), the model input layout. Values are converted, not rescaled:
    /// SemanticKITTI remission is in [0, 1], many PCD drivers write intensity in [0, 255].
    /// </summary>
    /// <exception cref="InvalidOperationException">x, y, z or an intensity channel is missing.</exception>
    public float[] ToXyzi()
    {
        PointField?[] columns = [FindField("x"), FindField("y"), FindField("z"), FindIntensity()];
        if (Array.IndexOf(columns, null) >= 0)
        {
            throw new InvalidOperationException(
                $"The cloud needs x, y, z and an intensity channel ({string.Join('/', IntensityNames)}); " +
                $"it has: {string.Join(' ', fields.Select(f => f.Name))}.");
        }

        var xyzi = new float[checked(PointCount * 4)];
        for (int c = 0; c < 4; c++)
        {
            columns[c]!.CopyToSingle(xyzi, c, 4);
        }

        return xyzi;
    }

    /// <summary>Float32 fields x, y, z and <paramref name="intensityName"/> from row-major [N, 4].</summary>
    public static PointCloud FromXyzi(ReadOnlySpan<float> xyzi, string intensityName = "intensity")
    {
        if (xyzi.Length % 4 != 0)
        {
            throw new ArgumentException(
                $"Length {xyzi.Length} is not a multiple of 4 (x, y, z, intensity).", nameof(xyzi));
        }

        var cloud = new PointCloud(xyzi.Length / 4);
        string[] names = ["x", "y", "z", intensityName];
        for (int c = 0; c < 4; c++)
        {
            Span<float> column = cloud.AddField(names[c], PointFieldType.Float32).AsSpan<float>();
            for (int p = 0; p < column.Length; p++)
            {
                column[p] = xyzi[(p * 4) + c];
            }
        }

        return cloud;
    }
}
