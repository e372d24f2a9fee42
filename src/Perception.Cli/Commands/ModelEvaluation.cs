using Perception.Datasets.Evaluation;
using Perception.Datasets.SemanticKitti;
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
        if (model.Classes != KittiLearningMap.ClassCount)
        {
            throw new ArgumentException($"--model: SemanticKITTI has 19 classes; this {model.Architecture} has {model.Classes}.");
        }

        var frames = new List<KittiFrame>();
        foreach (string sequence in sequences)
        {
            IReadOnlyList<KittiFrame> listed = KittiSequence.ListFrames(Path.Combine(dataset, "sequences", sequence));
            KittiFrame? unlabelled = listed.FirstOrDefault(f => !f.HasLabels);
            if (unlabelled is not null)
            {
                throw new IOException($"{unlabelled.LabelPath}: missing; --model scores labelled sequences only.");
            }

            frames.AddRange(listed);
        }

        if (frames.Count == 0)
        {
            throw new IOException($"--dataset: sequence {string.Join(", ", sequences)} has no scans.");
        }

        var segmenter = new SemanticSegmenter(model);
        var matrix = new KittiConfusionMatrix(classes);
        AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
            new RemainingTimeColumn()).Start(progress =>
        {
            ProgressTask task = progress.AddTask($"segmenting and scoring {frames.Count} scans", maxValue: frames.Count);
            foreach (KittiFrame frame in frames)
            {
                float[] points = KittiScanFile.Read(frame.ScanPath);
                uint[] truth = KittiLabelFile.Read(frame.LabelPath, points.Length / 4);
                int[] predicted = segmenter.Segment(points).PointClasses;
                var raw = new uint[predicted.Length];
                KittiLearningMap.Spvnas.ToRawLabels(predicted, raw);
                matrix.Add(raw, truth);
                task.Description = $"{frame.Sequence}/{frame.Name}  mIoU {matrix.Score(variant).MeanIou * 100:F1}";
                task.Increment(1);
            }
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
