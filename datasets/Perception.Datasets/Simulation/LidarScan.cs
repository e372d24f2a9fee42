using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Simulation;

/// <summary>
/// One simulated revolution: float32 points [N, 4] as (x, y, z, remission) in the sensor frame (x forward, y left,
/// z up; the layout of a SemanticKITTI .bin), per point its SemanticKITTI label (raw id and instance, the layout of a
/// .label) with the evaluated class it maps to, and the beam (ring) that measured it. Points are ordered by azimuth
/// column, then beam.
/// </summary>
public sealed class LidarScan
{
    private readonly float[] points;
    private readonly uint[] rawLabels;
    private readonly byte[] labels;
    private readonly byte[] rings;

    internal LidarScan(float[] points, uint[] rawLabels, byte[] rings)
    {
        this.points = points;
        this.rawLabels = rawLabels;
        this.rings = rings;
        labels = new byte[rawLabels.Length];
        for (int i = 0; i < rawLabels.Length; i++)
        {
            labels[i] = (byte)RawLabelClasses.TrainId(KittiLabelFile.SemanticId(rawLabels[i]));
        }
    }

    public int Count => labels.Length;

    /// <summary>Row-major [N, 4]: x, y, z in metres and remission in [0, 1].</summary>
    public ReadOnlySpan<float> Points => points;

    /// <summary>One <see cref="SemanticLabel"/> value (official train id) per point.</summary>
    public ReadOnlySpan<byte> Labels => labels;

    /// <summary>
    /// The .label values: <see cref="KittiRawLabel"/> in the low 16 bits, the object's instance id in the high 16
    /// (0 for ground, buildings and vegetation; the same id for an object in every scan of a sequence).
    /// </summary>
    public ReadOnlySpan<uint> RawLabels => rawLabels;

    /// <summary>Index into <see cref="LidarSensorConfig.BeamElevationsDeg"/> per point.</summary>
    public ReadOnlySpan<byte> Rings => rings;

    public SemanticLabel Label(int point) => (SemanticLabel)labels[point];

    /// <summary>The raw SemanticKITTI id of a point, before the learning map merges it.</summary>
    public KittiRawLabel RawLabel(int point) => (KittiRawLabel)KittiLabelFile.SemanticId(rawLabels[point]);

    /// <summary>Number of points per label, for the labels that occur.</summary>
    public IReadOnlyDictionary<SemanticLabel, int> LabelHistogram()
    {
        var histogram = new SortedDictionary<SemanticLabel, int>();
        foreach (byte label in labels)
        {
            histogram[(SemanticLabel)label] = histogram.GetValueOrDefault((SemanticLabel)label) + 1;
        }

        return histogram;
    }
}
