using System.Globalization;
using Perception.Datasets.Evaluation;
using Perception.Datasets.SemanticKitti;

namespace Perception.Training;

/// <summary>The CSV log of a run: one row per epoch with the training loss, the speed and the validation scores
/// (official semantic-kitti-api IoU, in [0, 1]; empty without validation sequences).</summary>
internal static class TrainingLog
{
    private static readonly string[] ClassColumns =
        [.. Enumerable.Range(0, KittiLearningMap.ClassCount).Select(c => "iou_" + KittiLearningMap.Spvnas.ClassName(c))];

    public static string Header { get; } = string.Join(',',
        ["epoch", "iterations", "learning_rate", "train_loss", "scans_per_second", "seconds", "val_miou", "val_accuracy", .. ClassColumns]);

    public static string Row(EpochSummary summary)
    {
        IouReport? report = summary.Validation;
        IEnumerable<string> scores = report is null
            ? Enumerable.Repeat("", ClassColumns.Length + 2)
            : [Format(report.MeanIou), Format(report.Accuracy), .. report.Classes.Select(c => Format(c.Iou))];
        return string.Join(',',
        [
            summary.Epoch.ToString(CultureInfo.InvariantCulture), summary.Iterations.ToString(CultureInfo.InvariantCulture),
            Format(summary.LearningRate), Format(summary.TrainLoss), Format(summary.ScansPerSecond), Format(summary.Seconds), .. scores,
        ]);
    }

    /// <summary>The epoch number a row starts with (int.MaxValue for a line that is not a row).</summary>
    public static int EpochOf(string line) =>
        int.TryParse(line.AsSpan(0, Math.Max(0, line.IndexOf(',', StringComparison.Ordinal))), CultureInfo.InvariantCulture, out int epoch)
            ? epoch
            : int.MaxValue;

    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
