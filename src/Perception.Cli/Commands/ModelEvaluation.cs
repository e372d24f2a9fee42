using Perception.Datasets.Evaluation;
using Perception.Datasets.SemanticKitti;
using Perception.Training;
using Pvcnn;
using Spectre.Console;

namespace Perception.Cli.Commands;

/// <summary>`eval semantickitti --model`: segments every labelled scan of the split and scores it as it goes, so no
/// prediction files are written and one scan is in memory at a time.</summary>
internal static class ModelEvaluation
{
    public static int Run(string modelPath, string? arch, string dataset, IReadOnlyList<string> sequences,
        EvaluationClasses classes, IouVariant variant, string? json, Action<IouReport> print)
    {
        SegmentationModel model = PvcnnModels.Load(modelPath, arch);
        IReadOnlyList<KittiFrame> frames = FrameScorer.ListFrames(dataset, sequences);
        KittiConfusionMatrix matrix = null!;
        AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
            new RemainingTimeColumn()).Start(progress =>
        {
            ProgressTask task = progress.AddTask($"segmenting and scoring {frames.Count} scans", maxValue: frames.Count);
            matrix = FrameScorer.Score(model, frames, classes, (frame, m) =>
            {
                task.Description = $"{frame.Sequence}/{frame.Name}  mIoU {m.Score(variant).MeanIou * 100:F1}";
                task.Increment(1);
            });
        });

        IouReport report = matrix.Score(variant);
        print(report);
        if (json is not null)
        {
            report.WriteJson(json);
            AnsiConsole.MarkupLine($"Scores: {Markup.Escape(Path.GetFullPath(json))}");
        }

        return 0;
    }
}
