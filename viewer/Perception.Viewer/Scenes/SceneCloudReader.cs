using Perception.Datasets;
using Perception.Datasets.PointClouds;
using Perception.Datasets.SemanticKitti;

namespace Perception.Viewer.Scenes;

/// <summary>
/// Reads a scan for the viewer: SemanticKITTI .bin (labels from <c>NAME.label</c> beside it, or from the sequence's
/// <c>labels/NAME.label</c> when the scan is in <c>velodyne/</c>), PCD or PLY (labels only when given).
/// </summary>
public static class SceneCloudReader
{
    /// <summary>The finite points of <paramref name="path"/>, with the classes of <paramref name="labelPath"/> (a
    /// SemanticKITTI .label file; null to look beside a .bin) and a model's of <paramref name="predictionPath"/> (a
    /// .label file of raw ids as SemanticKITTI submissions hold them; null for none).</summary>
    /// <exception cref="SceneInputException">The file cannot be read, has no points, or the labels do not fit.</exception>
    public static SceneCloud Read(string path, string? labelPath = null, string? predictionPath = null)
    {
        if (!File.Exists(path))
        {
            throw new SceneInputException(path, Directory.Exists(path) ? "is a folder, not a point cloud file"
                : "no such file");
        }

        try
        {
            bool isBin = Path.GetExtension(path).Equals(".bin", StringComparison.OrdinalIgnoreCase);
            labelPath ??= isBin ? FindLabels(path) : null;
            if (isBin)
            {
                float[] rows = KittiScanFile.Read(path);
                return SceneCloud.FromRows(path, rows, 4, hasIntensity: true, ReadClasses(labelPath, rows.Length / 4),
                    ReadClasses(predictionPath, rows.Length / 4));
            }

            PointCloud cloud = PointCloudFile.ReadCloud(path);
            PointField?[] columns = [cloud.FindField("x"), cloud.FindField("y"), cloud.FindField("z"), cloud.FindIntensity()];
            if (columns[0] is null || columns[1] is null || columns[2] is null)
            {
                throw new SceneInputException(path, $"needs x, y and z fields; it has {string.Join(' ', cloud.Fields.Select(f => f.Name))}");
            }

            int stride = columns[3] is null ? 3 : 4;
            var interleaved = new float[cloud.PointCount * stride];
            for (int c = 0; c < stride; c++)
            {
                float[] column = columns[c]!.ToSingle();
                for (int p = 0; p < column.Length; p++)
                {
                    interleaved[(p * stride) + c] = column[p];
                }
            }

            return SceneCloud.FromRows(path, interleaved, stride, stride == 4, ReadClasses(labelPath, cloud.PointCount),
                ReadClasses(predictionPath, cloud.PointCount));
        }
        catch (Exception e) when (e is DatasetFormatException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new SceneInputException(path, e.Message, e);
        }
    }

    /// <summary>NAME.label beside the scan, else ../labels/NAME.label of a sequence's velodyne folder, else null.</summary>
    public static string? FindLabels(string scanPath)
    {
        string full = Path.GetFullPath(scanPath);
        string name = Path.GetFileNameWithoutExtension(full) + ".label";
        string folder = Path.GetDirectoryName(full)!;
        string beside = Path.Combine(folder, name);
        string sequence = Path.Combine(Path.GetDirectoryName(folder) ?? folder, "labels", name);
        return File.Exists(beside) ? beside
            : Path.GetFileName(folder) == "velodyne" && File.Exists(sequence) ? sequence : null;
    }

    /// <summary>The predictions for <paramref name="scanPath"/>: <paramref name="predictions"/> itself when it is a
    /// file, else NAME.label in that folder (a SemanticKITTI submission's sequences/NN/predictions layout).</summary>
    public static string PredictionsFor(string scanPath, string predictions) => Directory.Exists(predictions)
        ? Path.Combine(predictions, Path.GetFileNameWithoutExtension(scanPath) + ".label")
        : predictions;

    private static int[]? ReadClasses(string? labelPath, int points) =>
        labelPath is null ? null : KittiLabelFile.ReadClasses(labelPath, points, KittiLearningMap.Official);
}
