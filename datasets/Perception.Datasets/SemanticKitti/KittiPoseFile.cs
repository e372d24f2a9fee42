namespace Perception.Datasets.SemanticKitti;

/// <summary>
/// A sequence's <c>poses.txt</c>: line i is scan i's pose, 12 numbers, a row-major 3×4 matrix in the camera 0
/// frame (the KITTI odometry ground truth).
/// </summary>
public static class KittiPoseFile
{
    /// <summary>The poses as stored: camera 0 frame, one per scan.</summary>
    /// <exception cref="DatasetFormatException">A line is not 12 numbers, or a blank line stands between poses; the
    /// message names the file and the line.</exception>
    public static IReadOnlyList<KittiTransform> Read(string path) =>
        KittiTextLines.NonBlankLines(path)
            .Select(line => KittiTextLines.ParseTransform(path, $"line {line.Number}", line.Text))
            .ToList();

    /// <summary>
    /// The poses in the LiDAR frame, <c>Tr⁻¹ · P · Tr</c> with <c>Tr</c> from <paramref name="calibrationPath"/>:
    /// they map a scan's points into the first scan's LiDAR frame (semantic-kitti-api generate_sequential.py).
    /// </summary>
    /// <exception cref="DatasetFormatException">Either file is malformed, the calibration has no <c>Tr</c>, or
    /// <c>Tr</c> is singular.</exception>
    public static IReadOnlyList<KittiTransform> ReadInLidarFrame(string posesPath, string calibrationPath)
    {
        KittiTransform velodyneToCamera = KittiCalibration.Read(calibrationPath).VelodyneToCamera;
        KittiTransform cameraToVelodyne;
        try
        {
            cameraToVelodyne = velodyneToCamera.Inverse();
        }
        catch (InvalidOperationException e)
        {
            throw new DatasetFormatException(calibrationPath, "Tr is singular", e);
        }

        return Read(posesPath).Select(pose => cameraToVelodyne * pose * velodyneToCamera).ToList();
    }
}
