namespace Perception.Datasets.SemanticKitti;

/// <summary>
/// One scan of a sequence: <c>velodyne/NAME.bin</c>, its ground truth <c>labels/NAME.label</c> (present in the
/// train and val sequences) and where the benchmark expects the prediction, <c>predictions/NAME.label</c>.
/// </summary>
public sealed record KittiFrame(
    string Sequence, string Name, string ScanPath, string LabelPath, string PredictionPath, bool HasLabels);

/// <summary>Lists the scans of one SemanticKITTI sequence folder (<c>dataset/sequences/NN</c>).</summary>
public static class KittiSequence
{
    /// <summary>Every <c>velodyne/*.bin</c> in file-name order (the frame order), with its label paths.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder has no velodyne sub-folder.</exception>
    public static IReadOnlyList<KittiFrame> ListFrames(string sequenceDirectory)
    {
        string root = Path.GetFullPath(sequenceDirectory);
        string scans = Path.Combine(root, "velodyne");
        if (!Directory.Exists(scans))
        {
            throw new DirectoryNotFoundException(
                $"{root}: no velodyne folder; expected a SemanticKITTI sequence folder (sequences/NN).");
        }

        string sequence = Path.GetFileName(Path.TrimEndingDirectorySeparator(root));
        return Directory.EnumerateFiles(scans, "*.bin")
            .Where(path => Path.GetExtension(path) == ".bin") // the pattern also matches ".bin~" style names
            .Order(StringComparer.Ordinal)
            .Select(scan =>
            {
                string name = Path.GetFileNameWithoutExtension(scan);
                string label = Path.Combine(root, "labels", name + ".label");
                return new KittiFrame(sequence, name, scan, label,
                    Path.Combine(root, "predictions", name + ".label"), File.Exists(label));
            })
            .ToList();
    }
}
