using Perception.Datasets.IO;

namespace Perception.Datasets.SemanticKitti;

/// <summary>
/// SemanticKITTI / KITTI velodyne scans (<c>sequences/NN/velodyne/XXXXXX.bin</c>): no header, float32 little-endian
/// (x, y, z, remission) per point, metres and remission in [0, 1].
/// </summary>
public static class KittiScanFile
{
    private const string RecordDescription = "4 float32 per point: x, y, z, remission";

    /// <summary>Row-major [N, 4] (x, y, z, remission), read with one bulk copy.</summary>
    /// <exception cref="DatasetFormatException">The size is not a multiple of 16 bytes.</exception>
    public static float[] Read(string path) => RawArrayFile.Read<float>(path, 16, RecordDescription);

    /// <summary>
    /// The scan mapped read-only into memory: no buffer of its size is filled, the points are read in place (the
    /// input pipeline quantizes straight from them). The file is little-endian like every supported host.
    /// </summary>
    /// <exception cref="DatasetFormatException">The size is not a multiple of 16 bytes.</exception>
    public static MappedScan Map(string path)
    {
        CountPoints(path);
        return new MappedScan(MappedFile.Open(path));
    }

    /// <summary>The number of points of a scan, from its size alone (nothing is read).</summary>
    /// <exception cref="DatasetFormatException">The size is not a multiple of 16 bytes.</exception>
    public static int CountPoints(string path)
    {
        long length = new FileInfo(path).Length;
        if (length % 16 != 0 || length / 16 > Array.MaxLength)
        {
            throw new DatasetFormatException(path, length % 16 != 0
                ? $"size {length} bytes is not a multiple of 16 ({RecordDescription})"
                : $"size {length} bytes is too large for one scan");
        }

        return (int)(length / 16);
    }

    /// <summary>Writes row-major [N, 4] (x, y, z, remission) atomically (temporary file, then rename).</summary>
    /// <exception cref="ArgumentException">The length is not a multiple of 4.</exception>
    public static void Write(string path, ReadOnlySpan<float> points)
    {
        if (points.Length % 4 != 0)
        {
            throw new ArgumentException(
                $"Length {points.Length} is not a multiple of 4 (x, y, z, remission).", nameof(points));
        }

        RawArrayFile.Write(path, points);
    }
}
