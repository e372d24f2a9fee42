namespace Perception.Datasets.Simulation;

/// <summary>
/// A spinning multi-beam LiDAR. The default is a Velodyne HDL-64E as mounted on the KITTI car: 64 beams from +2°
/// to −24.8°, 1.73 m above the road, ranges to 120 m with about 2 cm noise.
/// </summary>
public sealed record LidarSensorConfig
{
    public static LidarSensorConfig Hdl64E { get; } = new();

    /// <summary>Beam elevations in degrees, beam 0 first (the HDL-64E lists its upper block first, top down).</summary>
    public IReadOnlyList<double> BeamElevationsDeg { get; init; } = Hdl64EElevations();

    /// <summary>
    /// Azimuth columns per revolution. 2048 (0.176°) is the 64 × 2048 range image used with SemanticKITTI and
    /// gives its ~120k points per scan; the HDL-64E's finest 0.08° step would be 4500 columns and ~2.2× the points.
    /// </summary>
    public int AzimuthColumns { get; init; } = 2048;

    /// <summary>Returns closer than this are discarded (the sensor's own car and its blind zone).</summary>
    public double MinRange { get; init; } = 2.5;

    public double MaxRange { get; init; } = 120.0;

    /// <summary>Standard deviation of the range noise in metres, truncated at 3σ.</summary>
    public double RangeNoiseSigma { get; init; } = 0.02;

    /// <summary>Height of the optical centre above the road directly below it.</summary>
    public double MountHeight { get; init; } = 1.73;

    /// <summary>
    /// Chance of a missing return at maximum range for a black surface; it falls with the square of the range and
    /// with remission, as weak far returns are what a real sensor loses.
    /// </summary>
    public double FarDropout { get; init; } = 0.35;

    /// <summary>
    /// Chance of a missing return from a surface that sends almost nothing back (remission 0: black paint, tinted
    /// glass at a slant), falling linearly to none at remission <see cref="DarkRemission"/>.
    /// </summary>
    public double DarkDropout { get; init; } = 0.7;

    /// <summary>The remission from which every return is detected (see <see cref="DarkDropout"/>).</summary>
    public double DarkRemission { get; init; } = 0.12;

    public int BeamCount => BeamElevationsDeg.Count;

    /// <summary>Azimuth of a column in radians, counter-clockwise from +x (forward).</summary>
    public double ColumnAzimuth(int column) => 2 * Math.PI * column / AzimuthColumns;

    /// <summary>
    /// The HDL-64E's two laser blocks: 32 upper beams evenly from +2° to −8.33° (about 1/3° apart) and 32 lower
    /// beams evenly from −8.83° to −24.8° (about 1/2° apart).
    /// </summary>
    public static double[] Hdl64EElevations()
    {
        var elevations = new double[64];
        for (int i = 0; i < 32; i++)
        {
            elevations[i] = 2.0 + ((-8.33 - 2.0) * i / 31.0);
            elevations[32 + i] = -8.83 + ((-24.8 - -8.83) * i / 31.0);
        }

        return elevations;
    }

    internal void Validate()
    {
        if (BeamCount is < 1 or > 256 || AzimuthColumns < 1 || MinRange < 0 || MaxRange <= MinRange
            || RangeNoiseSigma < 0 || FarDropout is < 0 or > 1 || DarkDropout is < 0 or > 1 || DarkRemission <= 0)
        {
            throw new ArgumentException(
                $"invalid LiDAR config: {BeamCount} beams (1..256), {AzimuthColumns} columns, ranges [{MinRange}, "
                + $"{MaxRange}], noise {RangeNoiseSigma}, dropouts {FarDropout} far and {DarkDropout} below remission "
                + $"{DarkRemission}");
        }
    }
}
