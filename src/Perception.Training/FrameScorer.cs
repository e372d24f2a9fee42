using Perception.Datasets.Evaluation;
using Perception.Datasets.SemanticKitti;
using Pvcnn;

namespace Perception.Training;

/// <summary>Segments labelled scans with a model and scores them as the official tools do, one scan in memory at a
/// time (no prediction files): validation during training and <c>perception eval --model</c>.</summary>
public static class FrameScorer
{
    /// <summary>The confusion matrix of <paramref name="model"/>'s predictions on <paramref name="frames"/>;
    /// <paramref name="scored"/> sees it after each scan.</summary>
    /// <exception cref="IOException">A frame has no labels.</exception>
    public static KittiConfusionMatrix Score(SegmentationModel model, IReadOnlyList<KittiFrame> frames,
        EvaluationClasses classes, Action<KittiFrame, KittiConfusionMatrix>? scored = null)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (model.Classes != KittiLearningMap.ClassCount)
        {
            throw new ArgumentException($"SemanticKITTI has 19 classes; this {model.Architecture} has {model.Classes}.");
        }

        RequireLabels(frames);
        var segmenter = new SemanticSegmenter(model);
        var matrix = new KittiConfusionMatrix(classes);
        foreach (KittiFrame frame in frames)
        {
            using MappedScan scan = KittiScanFile.Map(frame.ScanPath);
            uint[] truth = KittiLabelFile.Read(frame.LabelPath, scan.PointCount);
            matrix.Add(KittiLearningMap.Spvnas.ToRawLabels(segmenter.Segment(scan.Points).PointClasses), truth);
            scored?.Invoke(frame, matrix);
        }

        return matrix;
    }

    /// <summary>Fails on the first frame without ground truth, before any work is done.</summary>
    /// <exception cref="IOException">A frame's label file is missing.</exception>
    public static void RequireLabels(IEnumerable<KittiFrame> frames)
    {
        KittiFrame? unlabelled = frames.FirstOrDefault(f => !f.HasLabels);
        if (unlabelled is not null)
        {
            throw new IOException($"{unlabelled.LabelPath}: missing; training and scoring need labelled scans.");
        }
    }

    /// <summary>The scans of <paramref name="sequences"/> under <c>root/sequences</c>, every
    /// <paramref name="stride"/>-th one.</summary>
    /// <exception cref="IOException">A sequence has no scans.</exception>
    public static IReadOnlyList<KittiFrame> ListFrames(string root, IEnumerable<string> sequences, int stride = 1)
    {
        var frames = new List<KittiFrame>();
        foreach (string sequence in sequences)
        {
            IReadOnlyList<KittiFrame> listed = KittiSequence.ListFrames(Path.Combine(root, "sequences", sequence));
            if (listed.Count == 0)
            {
                throw new IOException($"{Path.Combine(root, "sequences", sequence)}: no scans in velodyne/.");
            }

            frames.AddRange(listed.Where((_, i) => i % stride == 0));
        }

        return frames;
    }
}
