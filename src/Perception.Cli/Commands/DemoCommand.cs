using System.CommandLine;
using System.Diagnostics;
using Perception.Cli.Imaging;
using Perception.Datasets.Evaluation;
using Perception.Datasets.SemanticKitti;
using Perception.Datasets.Simulation;
using Pvcnn;
using Spectre.Console;
using TorchSparse;

namespace Perception.Cli.Commands;

/// <summary>
/// `perception demo`: the main job end to end on nothing but this repository: simulate a fresh scan of a street no
/// training run has seen, segment it with the shipped model, score it against the simulator's ground truth, and
/// write the scan, the labels and a picture.
/// </summary>
internal static class DemoCommand
{
    /// <summary>World seeds below this one are kept for training and validation data.</summary>
    public const int DefaultSeed = 1000;

    public static Command Create()
    {
        var seed = new Option<int>("--seed") { Description = "World seed of the simulated street (the shipped model trained on seeds below 1000).", DefaultValueFactory = _ => DefaultSeed };
        var model = new Option<string?>("--model") { Description = "Checkpoint to use instead of the shipped model." };
        var output = new Option<string>("--out") { Description = "Folder for the scan, labels and picture.", DefaultValueFactory = _ => "demo-output" };
        var threads = new Option<int>("--threads") { Description = "CPU threads (default: all).", DefaultValueFactory = _ => 0 };
        var command = new Command("demo", "Simulate a LiDAR scan, segment it with the shipped model, score it and draw it.")
        {
            seed, model, output, threads,
        };
        command.SetAction(parse => CliErrors.Run(() => Run(parse.GetValue(seed), parse.GetValue(model), parse.GetValue(output)!,
            parse.GetValue(threads))));
        return command;
    }

    private static int Run(int seed, string? modelPath, string output, int threads)
    {
        Device.CpuThreads = threads;
        CliErrors.RequireOutputFolder(output, "--out");
        Directory.CreateDirectory(output);
        SegmentationModel model = PvcnnModels.Load(modelPath ?? ShippedModel.FilePath);

        LidarScan scan = null!;
        double simulateMs = Time(() => scan = new LidarScanGenerator().Generate(seed));
        var profile = new ForwardProfile();
        var segmenter = new SemanticSegmenter(model);
        SegmentationResult result = null!;
        double segmentMs = Time(() => result = segmenter.Segment(scan.Points, profile));
        AnsiConsole.MarkupLine(
            $"[bold]Scan[/] of street {seed}: {scan.Count:N0} points from a simulated 64-beam LiDAR ({simulateMs:F0} ms).");
        AnsiConsole.MarkupLine(
            $"[bold]{model.Architecture}[/] ({model.ParameterCount:N0} parameters, {model.VoxelSize} m voxels): "
            + $"{result.Voxels.Count:N0} voxels segmented in [bold]{segmentMs:F0} ms[/] on {Device.CpuThreads} threads "
            + $"({string.Join(", ", profile.Milliseconds.Select(p => $"{p.Key} {p.Value:F0}"))} ms).");

        uint[] predicted = KittiLearningMap.Spvnas.ToRawLabels(result.PointClasses);
        var matrix = new KittiConfusionMatrix(EvaluationClasses.Official);
        matrix.Add(predicted, scan.RawLabels);
        IouReport report = matrix.Score(IouVariant.Official);
        AnsiConsole.Write(ScoreTable(report));

        string scanPath = Path.Combine(output, "scan.bin"), truthPath = Path.Combine(output, "truth.label");
        string predictionPath = Path.Combine(output, "predictions.label"), picture = Path.Combine(output, "demo.png");
        KittiScanFile.Write(scanPath, scan.Points);
        KittiLabelFile.Write(truthPath, scan.RawLabels);
        KittiLabelFile.Write(predictionPath, predicted);
        int[] truth = [.. Enumerable.Range(0, scan.Count).Select(p => (int)scan.Label(p))];
        bool drawn = ClassPictures.TryWrite(picture, scan.Points.ToArray(), 800, truth, [.. result.PointClasses.Select(c => c + 1)]);
        AnsiConsole.MarkupLine($"Wrote to [link]{Markup.Escape(Path.GetFullPath(output))}[/]: scan.bin (SemanticKITTI velodyne), "
            + "truth.label and predictions.label (raw label ids)"
            + (drawn ? ", demo.png (bird's-eye view rendered headless: truth left, prediction right)." : "."));
        return 0;
    }

    /// <summary>IoU of the classes in the scan (official semantic-kitti-api scoring, one scan).</summary>
    private static Table ScoreTable(IouReport report)
    {
        var table = new Table().Title($"mIoU over classes present: [bold]{PresentMean(report) * 100:F1}[/], accuracy {report.Accuracy * 100:F1}")
            .AddColumns("class", "IoU", "points");
        foreach (ClassIou c in report.Classes.Where(c => c.TruePositives + c.FalseNegatives > 0))
        {
            table.AddRow(c.Name, $"{c.Iou * 100:F1}", $"{c.TruePositives + c.FalseNegatives:N0}");
        }

        return table;
    }

    /// <summary>One scan rarely holds all 19 classes; the official mean would count the absent ones as 0.</summary>
    private static double PresentMean(IouReport report) =>
        report.Classes.Where(c => c.TruePositives + c.FalseNegatives > 0).Select(c => c.Iou).DefaultIfEmpty(0).Average();

    private static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
