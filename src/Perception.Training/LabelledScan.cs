using Perception.Datasets.SemanticKitti;

namespace Perception.Training;

/// <summary>One scan for training: float rows (x, y, z, remission) and per point a class 0..18 or 255 (ignored),
/// spvnas's label convention.</summary>
public sealed record LabelledScan(float[] Points, int[] Classes)
{
    public int Count => Classes.Length;

    /// <summary>Reads a SemanticKITTI scan and its labels, mapped to spvnas classes.</summary>
    /// <exception cref="IOException">The label file is missing (the sequence has no ground truth).</exception>
    public static LabelledScan Read(KittiFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (!frame.HasLabels)
        {
            throw new IOException($"{frame.LabelPath}: missing; training and validation need labelled sequences.");
        }

        float[] points = KittiScanFile.Read(frame.ScanPath);
        int[] classes = KittiLabelFile.ReadClasses(frame.LabelPath, points.Length / 4, KittiLearningMap.Spvnas);
        return new LabelledScan(points, classes);
    }
}
