using Perception.Datasets.Geometry;

namespace Perception.Datasets.SemanticKitti;

/// <summary>
/// A sequence's <c>calib.txt</c>: the 3×4 projection matrices P0..P3 of the four cameras (rectified cam0 frame to
/// pixels) and <c>Tr</c>, the velodyne→cam0 transform that converts between LiDAR and camera-frame poses.
/// </summary>
public sealed class KittiCalibration
{
    private readonly double[][] projections;

    /// <param name="projections">P0..P3, 12 row-major values each.</param>
    /// <param name="velodyneToCamera">Tr: LiDAR points to cam0 coordinates.</param>
    /// <exception cref="ArgumentException">Not four projections of 12 values.</exception>
    public KittiCalibration(IReadOnlyList<IReadOnlyList<double>> projections, RigidTransform velodyneToCamera)
    {
        if (projections.Count != 4 || projections.Any(p => p.Count != 12))
        {
            throw new ArgumentException("Calibration needs P0..P3 with 12 values each.", nameof(projections));
        }

        this.projections = [.. projections.Select(p => p.ToArray())];
        VelodyneToCamera = velodyneToCamera;
        _ = velodyneToCamera.Inverse(); // a singular Tr cannot convert poses: refuse it here, not at first use
    }

    /// <summary>Tr: maps LiDAR coordinates to cam0 coordinates.</summary>
    public RigidTransform VelodyneToCamera { get; }

    /// <summary>P0..P3 as 12 row-major values.</summary>
    public IReadOnlyList<double> Projection(int camera) => camera is >= 0 and < 4
        ? projections[camera]
        : throw new ArgumentOutOfRangeException(nameof(camera), camera, "Cameras are 0..3.");

    /// <summary>The poses.txt form of a LiDAR pose (scan frame → first scan's frame): Tr·P·Tr⁻¹.</summary>
    public RigidTransform ToCameraPose(RigidTransform lidarPose) =>
        VelodyneToCamera * lidarPose * VelodyneToCamera.Inverse();

    /// <summary>The LiDAR pose of a poses.txt line: Tr⁻¹·P·Tr (semantic-kitti-api's parse_poses).</summary>
    public RigidTransform ToLidarPose(RigidTransform cameraPose) =>
        VelodyneToCamera.Inverse() * cameraPose * VelodyneToCamera;

    /// <summary>Reads P0..P3 and Tr from <c>KEY: values</c> lines; other keys are ignored.</summary>
    /// <exception cref="DatasetFormatException">A key is missing, or a value is not a number.</exception>
    public static KittiCalibration Read(string path)
    {
        var entries = new Dictionary<string, double[]>(StringComparer.Ordinal);
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            int colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                entries[text[..colon].Trim()] = KittiTextMatrices.ParseNumbers(path, line, text[(colon + 1)..]);
            }
            else if (!string.IsNullOrWhiteSpace(text))
            {
                throw new DatasetFormatException(path, $"line {line}: expected 'KEY: values'");
            }
        }

        double[] Matrix(string key) => entries.TryGetValue(key, out double[]? values) && values.Length == 12
            ? values
            : throw new DatasetFormatException(path, $"needs a '{key}:' line with 12 values (3×4 row-major)");

        double[][] p = [Matrix("P0"), Matrix("P1"), Matrix("P2"), Matrix("P3")];
        RigidTransform tr = RigidTransform.FromRowMajor(Matrix("Tr"));
        try
        {
            return new KittiCalibration(p, tr);
        }
        catch (InvalidOperationException e)
        {
            throw new DatasetFormatException(path, $"Tr cannot be inverted: {e.Message}", e);
        }
    }

    /// <summary>Writes P0..P3 and Tr atomically, in that order, the way KITTI's odometry calib.txt does.</summary>
    public void Write(string path) => KittiTextMatrices.WriteLines(path,
        Enumerable.Range(0, 4).Select(c => $"P{c}: {KittiTextMatrices.FormatRow(projections[c])}")
            .Append($"Tr: {KittiTextMatrices.FormatRow(VelodyneToCamera.ToRowMajor())}"));
}
