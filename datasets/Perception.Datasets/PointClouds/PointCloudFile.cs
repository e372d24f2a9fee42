using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.PointClouds;

/// <summary>
/// Reads a point cloud file of any supported kind, chosen by extension: .bin (KITTI), .pcd, .ply, .las (.laz is
/// recognised only to be refused with a clear message).
/// </summary>
public static class PointCloudFile
{
    /// <summary>
    /// Row-major [N, 4] float32 (x, y, z, intensity), ready for the model input. A .bin is read with one bulk
    /// copy; PCD, PLY and LAS fields are converted to float32 and the intensity channel is the first of
    /// <see cref="PointCloud.IntensityNames"/> present (LAS: its uint16 intensity). Values are not rescaled.
    /// </summary>
    /// <exception cref="DatasetFormatException">The file is malformed or lacks x, y, z or an intensity channel.
    /// </exception>
    /// <exception cref="NotSupportedException">The extension is not .bin, .pcd, .ply, .las or .laz.</exception>
    public static float[] Read(string path)
    {
        if (Kind(path) == ".bin")
        {
            return KittiScanFile.Read(path);
        }

        PointCloud cloud = ReadCloud(path);
        try
        {
            return cloud.ToXyzi();
        }
        catch (InvalidOperationException e)
        {
            throw new DatasetFormatException(path, e.Message, e);
        }
    }

    /// <summary>Every field of the file; a .bin gives float32 fields x, y, z and remission.</summary>
    /// <exception cref="DatasetFormatException">The file is malformed.</exception>
    /// <exception cref="NotSupportedException">The extension is not .bin, .pcd, .ply, .las or .laz.</exception>
    public static PointCloud ReadCloud(string path) => Kind(path) switch
    {
        ".bin" => PointCloud.FromXyzi(KittiScanFile.Read(path), "remission"),
        ".pcd" => PcdFile.Read(path),
        ".las" or ".laz" => LasFile.Read(path),
        _ => PlyFile.Read(path),
    };

    private static string Kind(string path)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        return extension is ".bin" or ".pcd" or ".ply" or ".las" or ".laz" ? extension
            : throw new NotSupportedException(
                $"{path}: unknown point cloud extension '{extension}'; expected .bin, .pcd, .ply or .las.");
    }
}
