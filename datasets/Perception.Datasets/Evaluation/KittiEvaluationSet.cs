using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Evaluation;

/// <summary>
/// The frames of some SemanticKITTI sequences paired with their prediction files. The dataset root holds
/// <c>sequences/NN/{velodyne,labels}</c>. Predictions of sequence NN are looked for in
/// <c>&lt;predictions&gt;/sequences/NN/predictions</c> (the benchmark layout), then
/// <c>&lt;predictions&gt;/NN/predictions</c>, and, when only one sequence is evaluated, as .label files directly in
/// <c>&lt;predictions&gt;</c>. Files pair up by name (<c>velodyne/000123.bin</c> with <c>000123.label</c>), not by
/// position as in the official script, so a missing file cannot shift every later pair.
/// </summary>
public sealed class KittiEvaluationSet
{
    private KittiEvaluationSet(List<KittiFrame> frames, List<KittiFrame> missingPredictions,
        List<KittiFrame> missingLabels, List<string> extraPredictions, List<string> predictionFolders)
    {
        Frames = frames;
        MissingPredictions = missingPredictions;
        MissingLabels = missingLabels;
        ExtraPredictions = extraPredictions;
        PredictionFolders = predictionFolders;
    }

    /// <summary>Frames with ground truth and a prediction; <see cref="KittiFrame.PredictionPath"/> is the file
    /// found.</summary>
    public IReadOnlyList<KittiFrame> Frames { get; }

    /// <summary>Labelled frames without a prediction file (<see cref="KittiFrame.PredictionPath"/> is where it was
    /// looked for).</summary>
    public IReadOnlyList<KittiFrame> MissingPredictions { get; }

    /// <summary>Scans without a ground-truth label file.</summary>
    public IReadOnlyList<KittiFrame> MissingLabels { get; }

    /// <summary>Prediction files with no scan of that name.</summary>
    public IReadOnlyList<string> ExtraPredictions { get; }

    /// <summary>The prediction folder used for each sequence, in sequence order.</summary>
    public IReadOnlyList<string> PredictionFolders { get; }

    /// <summary>Frames left out: missing predictions plus missing labels.</summary>
    public int SkippedCount => MissingPredictions.Count + MissingLabels.Count;

    /// <summary>Pairs every scan of <paramref name="sequences"/> with its label and prediction files.</summary>
    /// <exception cref="DirectoryNotFoundException">A sequence, its labels folder or its prediction folder does not
    /// exist (the message names what was looked for).</exception>
    public static KittiEvaluationSet Match(string datasetRoot, string predictionsRoot, IReadOnlyList<string> sequences)
    {
        if (!Directory.Exists(predictionsRoot))
        {
            throw new DirectoryNotFoundException($"{Path.GetFullPath(predictionsRoot)}: no such predictions folder.");
        }

        var frames = new List<KittiFrame>();
        var missingPredictions = new List<KittiFrame>();
        var missingLabels = new List<KittiFrame>();
        var extra = new List<string>();
        var folders = new List<string>();
        foreach (string sequence in sequences)
        {
            string sequenceFolder = Path.GetFullPath(Path.Combine(datasetRoot, "sequences", sequence));
            if (!Directory.Exists(sequenceFolder))
            {
                throw new DirectoryNotFoundException($"{sequenceFolder}: no such sequence folder in the dataset.");
            }

            if (!Directory.Exists(Path.Combine(sequenceFolder, "labels")))
            {
                throw new DirectoryNotFoundException(
                    $"{sequenceFolder}: no labels folder, so no ground truth (the test sequences 11-21 have none).");
            }

            string folder = PredictionFolder(predictionsRoot, sequence, sequences.Count == 1);
            folders.Add(folder);
            var predicted = Directory.EnumerateFiles(folder, "*.label")
                .Where(path => Path.GetExtension(path) == ".label")
                .ToDictionary(path => Path.GetFileNameWithoutExtension(path), StringComparer.Ordinal);
            foreach (KittiFrame frame in KittiSequence.ListFrames(sequenceFolder))
            {
                bool hasPrediction = predicted.Remove(frame.Name, out string? prediction);
                KittiFrame paired = frame with
                {
                    PredictionPath = prediction ?? Path.Combine(folder, frame.Name + ".label"),
                };
                if (!frame.HasLabels)
                {
                    missingLabels.Add(paired);
                }
                else
                {
                    (hasPrediction ? frames : missingPredictions).Add(paired);
                }
            }

            extra.AddRange(predicted.Values.Order(StringComparer.Ordinal));
        }

        return new KittiEvaluationSet(frames, missingPredictions, missingLabels, extra, folders);
    }

    /// <summary>Throws unless every scan has ground truth and a prediction and every prediction has a scan.</summary>
    /// <param name="hint">Appended to the message (for example how to skip such frames).</param>
    /// <exception cref="FileNotFoundException">A label or prediction file is missing (the first is named).</exception>
    /// <exception cref="DatasetFormatException">A prediction file has no scan (the first is named).</exception>
    public void ThrowIfIncomplete(string hint = "")
    {
        int total = Frames.Count + SkippedCount;
        if (MissingLabels.Count > 0)
        {
            KittiFrame first = MissingLabels[0];
            throw new FileNotFoundException($"{first.LabelPath}: no ground-truth labels for scan {first.ScanPath} " +
                $"({MissingLabels.Count} of {total} scans have none).{hint}", first.LabelPath);
        }

        if (MissingPredictions.Count > 0)
        {
            KittiFrame first = MissingPredictions[0];
            throw new FileNotFoundException($"{first.PredictionPath}: no prediction for scan {first.ScanPath} " +
                $"({MissingPredictions.Count} of {total} labelled scans have none).{hint}", first.PredictionPath);
        }

        if (ExtraPredictions.Count > 0)
        {
            throw new DatasetFormatException(ExtraPredictions[0], "no scan of that name in the dataset " +
                $"({ExtraPredictions.Count} prediction files have none).{hint}");
        }
    }

    private static string PredictionFolder(string root, string sequence, bool onlySequence)
    {
        string benchmark = Path.GetFullPath(Path.Combine(root, "sequences", sequence, "predictions"));
        string flat = Path.GetFullPath(Path.Combine(root, sequence, "predictions"));
        if (Directory.Exists(benchmark))
        {
            return benchmark;
        }

        if (Directory.Exists(flat))
        {
            return flat;
        }

        if (onlySequence && Directory.EnumerateFiles(root, "*.label").Any())
        {
            return Path.GetFullPath(root);
        }

        throw new DirectoryNotFoundException($"No predictions for sequence {sequence}: neither {benchmark} nor {flat}" +
            (onlySequence ? $" exists, and {Path.GetFullPath(root)} holds no .label files." : " exists."));
    }
}
