using System.CommandLine;
using Perception.Datasets.Evaluation;
using Perception.Datasets.SemanticKitti;
using Spectre.Console;

namespace Perception.Cli.Commands;

/// <summary>`perception eval semantickitti`: per-class IoU, mIoU and accuracy of SemanticKITTI predictions.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "SemanticKITTI root: the folder holding sequences/NN/{velodyne,labels}.", Required = true };
        var predictions = new Option<string>("--predictions")
        {
            Description = "Predictions (raw label ids): <dir>/sequences/NN/predictions/*.label (benchmark layout), <dir>/NN/predictions, "
                + "or, for one sequence, .label files directly in <dir>. Give this or --model.",
        };
        var model = new Option<string?>("--model") { Description = "Segment the scans with this checkpoint, model-zoo folder or SPVNAS net.config and score in one pass (instead of --predictions)." };
        var arch = new Option<string?>("--arch") { Description = "Architecture of --model when its path does not tell (minkunet, spvcnn)." };
        var split = new Option<string>("--split")
        {
            Description = "valid (08), train (00-07, 09, 10), or a comma list of sequences (08,09).",
            DefaultValueFactory = _ => "valid",
        };
        var variant = new Option<string>("--variant")
        {
            Description = "official (semantic-kitti-api: classes absent from both sides score 0) or spvnas (its label map; classes without ground truth score 1).",
            DefaultValueFactory = _ => "official",
        };
        variant.AcceptOnlyFromAmong("official", "spvnas");
        var config = new Option<string?>("--config") { Description = "A semantic-kitti.yaml whose learning_map, learning_map_inv, labels and learning_ignore replace the built-in map." };
        var json = new Option<string?>("--json") { Description = "Also write the scores as JSON to this file (atomically)." };
        var allowMissing = new Option<bool>("--allow-missing") { Description = "Skip scans without prediction or labels, and prediction files without a scan, instead of refusing." };
        var semanticKitti = new Command("semantickitti", "Score SemanticKITTI .label predictions against the ground truth, as the official evaluate_semantics.py does.")
        {
            dataset, predictions, model, arch, split, variant, config, json, allowMissing,
        };
        semanticKitti.SetAction(parse => CliErrors.Run(() => Run(new Request(parse.GetValue(dataset)!,
            parse.GetValue(predictions), parse.GetValue(model), parse.GetValue(arch), parse.GetValue(split)!,
            parse.GetValue(variant) == "spvnas" ? IouVariant.Spvnas : IouVariant.Official, parse.GetValue(config),
            parse.GetValue(json), parse.GetValue(allowMissing)))));
        return new Command("eval", "Score predictions against ground truth.") { semanticKitti };
    }

    private static int Run(Request request)
    {
        IReadOnlyList<string> sequences;
        try
        {
            sequences = KittiSplit.Parse(request.Split);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--split: {e.Message}", e);
        }

        if (request.Json is not null)
        {
            CliErrors.RequireOutputFolder(request.Json, "--json");
        }

        if ((request.Predictions is null) == (request.Model is null))
        {
            throw new ArgumentException("give either --predictions (score .label files) or --model (segment and score).");
        }

        EvaluationClasses classes = request.Config is null
            ? EvaluationClasses.For(request.Variant)
            : EvaluationClasses.FromConfig(KittiLabelConfig.Load(request.Config));
        if (request.Model is not null)
        {
            return ModelEvaluation.Run(request.Model, request.Arch, request.Dataset, sequences, classes, request.Variant,
                request.Json, report => Print(report, null, allowMissing: false));
        }

        KittiEvaluationSet set = KittiEvaluationSet.Match(request.Dataset, request.Predictions!, sequences);
        if (!request.AllowMissing)
        {
            set.ThrowIfIncomplete(" --allow-missing evaluates the frames that pair up.");
        }

        if (set.Frames.Count == 0)
        {
            throw new IOException(
                $"Nothing to evaluate: no labelled scan of sequence {string.Join(", ", sequences)} has a prediction.");
        }

        var matrix = new KittiConfusionMatrix(classes);
        AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
            new RemainingTimeColumn()).Start(progress =>
        {
            ProgressTask task = progress.AddTask($"scoring {set.Frames.Count} scans", maxValue: set.Frames.Count);
            foreach (KittiFrame frame in set.Frames)
            {
                matrix.AddFrame(frame); // streams: one scan's labels in memory at a time
                task.Description = $"{frame.Sequence}/{frame.Name}  mIoU {matrix.Score(request.Variant).MeanIou * 100:F1}";
                task.Increment(1);
            }
        });

        IouReport report = matrix.Score(request.Variant) with { SkippedFrames = set.SkippedCount };
        Print(report, set, request.AllowMissing);
        if (request.Json is not null)
        {
            report.WriteJson(request.Json);
            AnsiConsole.MarkupLine($"Scores: {Markup.Escape(Path.GetFullPath(request.Json))}");
        }

        return 0;
    }

    private static void Print(IouReport report, KittiEvaluationSet? set, bool allowMissing)
    {
        var table = new Table().AddColumn("class").AddColumn(new TableColumn("IoU (%)").RightAligned())
            .AddColumn(new TableColumn("ground-truth points").RightAligned());
        foreach (ClassIou c in report.Classes)
        {
            table.AddRow(Markup.Escape(c.Name), $"{c.Iou * 100:F2}", $"{c.TruePositives + c.FalseNegatives:N0}");
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[bold]mIoU {report.MeanIou * 100:F2}[/]  accuracy {report.Accuracy * 100:F2}  "
            + $"({report.Variant} rule; {report.Scans} scans, {report.EvaluatedPoints:N0} evaluated points)");
        if (allowMissing && set is not null)
        {
            AnsiConsole.MarkupLine($"[yellow]skipped {set.SkippedCount} frames[/] "
                + $"({set.MissingPredictions.Count} without prediction, {set.MissingLabels.Count} without labels); "
                + $"ignored {set.ExtraPredictions.Count} prediction files without a scan");
        }
    }

    private sealed record Request(string Dataset, string? Predictions, string? Model, string? Arch, string Split, IouVariant Variant, string? Config,
        string? Json, bool AllowMissing);
}
