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
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            double[] values = KittiTextMatrices.ParseNumbers(path, line, text);
            if (values.Length != 12)
            {
                throw new DatasetFormatException(path, $"line {line}: {values.Length} values, a pose has 12 (3×4)");
            }

            poses.Add(RigidTransform.FromRowMajor(values));
        }

        return [.. poses];
    }

    /// <summary>Writes one line per pose atomically (temporary file, then rename).</summary>
    public static void Write(string path, IEnumerable<RigidTransform> poses) =>
        KittiTextMatrices.WriteLines(path, poses.Select(pose => KittiTextMatrices.FormatRow(pose.ToRowMajor())));
}
