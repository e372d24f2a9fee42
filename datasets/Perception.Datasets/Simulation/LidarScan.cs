namespace Perception.Datasets.Simulation;

/// <summary>
/// One simulated revolution: float32 points [N, 4] as (x, y, z, remission) in the sensor frame (x forward, y left,
/// z up; the layout of a SemanticKITTI .bin), a semantic label per point and the beam (ring) that measured it.
/// Points are ordered by azimuth column, then beam.
/// </summary>
public sealed class LidarScan
{
    private readonly float[] points;
    private readonly byte[] labels;
    private readonly byte[] rings;

    internal LidarScan(float[] points, byte[] labels, byte[] rings)
    {
        this.points = points;
        this.labels = labels;
        this.rings = rings;
    }

    public int Count => labels.Length;

    /// <summary>Row-major [N, 4]: x, y, z in metres and remission in [0, 1].</summary>
    public ReadOnlySpan<float> Points => points;

    /// <summary>One <see cref="SemanticLabel"/> value per point.</summary>
    public ReadOnlySpan<byte> Labels => labels;

    /// <summary>Index into <see cref="LidarSensorConfig.BeamElevationsDeg"/> per point.</summary>
    public ReadOnlySpan<byte> Rings => rings;

    public SemanticLabel Label(int point) => (SemanticLabel)labels[point];

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
