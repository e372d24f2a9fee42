using System.CommandLine;
using System.Diagnostics;
using Perception.Cli.Imaging;
using Perception.Datasets.PointClouds;
using Perception.Datasets.SemanticKitti;
using Pvcnn;
using Spectre.Console;
using TorchSparse;
using TorchSparse.Checkpoints;

namespace Perception.Cli.Commands;

/// <summary>`perception segment`: per-point SemanticKITTI classes for one scan or a whole sequence folder.</summary>
internal static class SegmentCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Checkpoint (torch.save or safetensors), model-zoo folder, or SPVNAS net.config (default: the shipped minkunet-sim)." };
        var arch = new Option<string?>("--arch") { Description = "minkunet or spvcnn when the path does not say (SPVNAS is recognised by its keys)." };
        var input = new Option<string>("--input") { Description = "A scan (.bin, .pcd, .ply, .las), a SemanticKITTI sequence folder (sequences/NN), or an .mcap recording.", Required = true };
        var output = new Option<string?>("--output")
        {
            Description = "Where predictions go: a .label file for one scan, a folder for a sequence (default: <sequence>/predictions), an .mcap for a recording (default: <input>.segmented.mcap).",
        };
        var topic = new Option<string?>("--topic") { Description = "From an .mcap: the PointCloud2 topic to segment (default: the only one)." };
        var outputTopic = new Option<string?>("--output-topic") { Description = "From an .mcap: the topic of the labelled clouds (default: <topic>/segmented)." };
        var picture = new Option<string?>("--picture") { Description = "Bird's-eye PNG of one scan's predictions (default: <input name>.segment.png in the current folder)." };
        var threads = new Option<int>("--threads") { Description = "CPU threads (default: all).", DefaultValueFactory = _ => 0 };
        Option<string> backend = BackendOption.Create("Where the model runs.");
        var allowObjects = new Option<bool>("--allow-pickled-objects") { Description = "Skip pickled config objects in the checkpoint instead of refusing it (nothing is ever executed)." };
        var command = new Command("segment", "Segment LiDAR scans with MinkUNet, SPVCNN or SPVNAS; write SemanticKITTI .label predictions.")
        {
            model, arch, input, output, picture, threads, backend, allowObjects, topic, outputTopic,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            Device.CpuThreads = parse.GetValue(threads);
            var options = new CheckpointOptions { AllowUnknownObjects = parse.GetValue(allowObjects) };
            SegmentationModel loaded = PvcnnModels.Load(parse.GetValue(model) ?? ShippedModel.FilePath, parse.GetValue(arch), options)
                .To(BackendOption.Open(parse.GetValue(backend)));
            if (loaded.Classes != KittiLearningMap.ClassCount)
            {
                throw new ArgumentException(
                    $"--model: segment writes SemanticKITTI labels (19 classes); this {loaded.Architecture} has {loaded.Classes}.");
            }

            string source = parse.GetValue(input)!;
            if (source.EndsWith(".mcap", StringComparison.OrdinalIgnoreCase))
            {
                return McapSegmentation.Run(loaded, source, parse.GetValue(output), parse.GetValue(topic), parse.GetValue(outputTopic));
            }

            return Directory.Exists(source)
                ? Sequence(loaded, source, parse.GetValue(output))
                : Scan(loaded, source, parse.GetValue(output), parse.GetValue(picture));
        }));
        return command;
    }

    private static int Scan(SegmentationModel model, string path, string? output, string? picture)
    {
        picture ??= Path.GetFileNameWithoutExtension(path) + ".segment.png";
        CliErrors.RequireOutputFolder(picture, "--picture");
        if (output is not null)
        {
            CliErrors.RequireOutputFolder(output, "--output");
        }

        float[] points = PointCloudFile.Read(path);
        var profile = new ForwardProfile();
        long start = Stopwatch.GetTimestamp();
        SegmentationResult result = new SemanticSegmenter(model).Segment(points, profile);
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        KittiLearningMap map = KittiLearningMap.Spvnas;
        if (output is not null)
        {
            KittiLabelFile.Write(output, map.ToRawLabels(result.PointClasses));
        }

        // spvnas's class index is the official SemanticKITTI train id minus one.
        bool drawn = ClassPictures.TryWrite(picture, points, 1200, [.. result.PointClasses.Select(c => c + 1)]);
        AnsiConsole.MarkupLine(
            $"[bold]{Markup.Escape(model.Architecture)}[/] ({model.ParameterCount / 1e6:F2} M parameters) on {Markup.Escape(path)} with {Markup.Escape(model.Device.ToString())}: "
            + $"{points.Length / 4:N0} points, {result.Voxels.Count:N0} voxels, {ms:F0} ms ({profile.Macs / 1e9:F1} GMACs).");
        AnsiConsole.Write(Histogram(Count(result.PointClasses), map));
        if (output is not null)
        {
            AnsiConsole.MarkupLine($"Labels (SemanticKITTI raw ids): {Markup.Escape(Path.GetFullPath(output))}");
        }

        if (drawn)
        {
            AnsiConsole.MarkupLine($"Bird's-eye view of the predictions: [link]{Markup.Escape(Path.GetFullPath(picture))}[/]");
        }
        return 0;
    }

    private static int Sequence(SegmentationModel model, string folder, string? output)
    {
        IReadOnlyList<KittiFrame> frames = KittiSequence.ListFrames(folder);
        if (frames.Count == 0)
        {
            throw new IOException($"--input: '{folder}' has no velodyne/*.bin scans.");
        }

        output ??= Path.Combine(folder, "predictions");
        if (File.Exists(output))
        {
            throw new IOException($"--output: '{output}' is a file; a sequence's predictions go to a folder of .label files.");
        }

        Directory.CreateDirectory(output);
        var segmenter = new SemanticSegmenter(model);
        KittiLearningMap map = KittiLearningMap.Spvnas;
        var counts = new long[KittiLearningMap.ClassCount];
        long points = 0;
        long start = Stopwatch.GetTimestamp();
        AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
            new RemainingTimeColumn()).Start(progress =>
        {
            ProgressTask task = progress.AddTask($"segmenting {frames.Count} scans", maxValue: frames.Count);
            foreach (KittiFrame frame in frames)
            {
                SegmentationResult result;
                using (MappedScan scan = KittiScanFile.Map(frame.ScanPath))
                {
                    result = segmenter.Segment(scan.Points);
                }

                KittiLabelFile.Write(Path.Combine(output, frame.Name + ".label"), map.ToRawLabels(result.PointClasses));
                long[] scanCounts = Count(result.PointClasses);
                for (int c = 0; c < counts.Length; c++)
                {
                    counts[c] += scanCounts[c];
                }

                points += result.PointClasses.Length;
                task.Increment(1);
            }
        });
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        AnsiConsole.MarkupLine(
            $"{frames.Count} scans, {points:N0} points in {seconds:F1} s ({frames.Count / seconds:F2} scans/s); predictions in {Markup.Escape(Path.GetFullPath(output))}");
        AnsiConsole.Write(Histogram(counts, map));
        return 0;
    }

    private static long[] Count(int[] classes)
    {
        var counts = new long[KittiLearningMap.ClassCount];
        foreach (int c in classes)
        {
            counts[c]++;
        }

        return counts;
    }

    private static BarChart Histogram(long[] counts, KittiLearningMap map)
    {
        var chart = new BarChart().Label("points per predicted class").Width(70);
        for (int c = 0; c < counts.Length; c++)
        {
            if (counts[c] > 0)
            {
                chart.AddItem(map.ClassName(c + map.FirstClass), counts[c], Color.SteelBlue);
            }
        }

        return chart;
    }
}
