using Perception.Datasets.Geometry;

namespace Perception.Datasets.SemanticKitti;

/// <summary>
/// <c>sequences/NN/poses.txt</c>: one line per scan, the 12 values of a row-major 3×4 pose that maps the left
/// camera (cam0) frame of that scan into cam0's frame at the first scan. LiDAR-frame poses are Tr⁻¹·P·Tr
/// (<see cref="KittiCalibration.ToLidarPose"/>).
/// </summary>
public static class KittiPoseFile
{
    /// <summary>Every pose, in scan order; blank lines are skipped.</summary>
    /// <exception cref="DatasetFormatException">A line does not hold 12 finite numbers.</exception>
    public static RigidTransform[] Read(string path)
    {
        var poses = new List<RigidTransform>();
        foreach ((int line, double[] values) in KittiTextMatrices.NumberRows(path))
        {
            if (values.Length != 12)
            {
                throw new DatasetFormatException(path, $"line {line}: {values.Length} values, a pose has 12 (3×4)");
            }

            poses.Add(RigidTransform.FromRowMajor(values));
        }

        return [.. poses];
    }

    /// <summary>
    /// The poses in the LiDAR frame, <c>Tr⁻¹ · P · Tr</c> with <c>Tr</c> from <paramref name="calibrationPath"/>:
    /// they map a scan's points into the first scan's LiDAR frame (semantic-kitti-api generate_sequential.py).
    /// </summary>
    /// <exception cref="DatasetFormatException">Either file is malformed or Tr is singular.</exception>
    public static RigidTransform[] ReadInLidarFrame(string posesPath, string calibrationPath)
    {
        KittiCalibration calibration = KittiCalibration.Read(calibrationPath);
        return [.. Read(posesPath).Select(calibration.ToLidarPose)];
    }

    /// <summary>Writes one line per pose atomically (temporary file, then rename).</summary>
    public static void Write(string path, IEnumerable<RigidTransform> poses) =>
        KittiTextMatrices.WriteLines(path, poses.Select(pose => KittiTextMatrices.FormatRow(pose.ToRowMajor())));
}
