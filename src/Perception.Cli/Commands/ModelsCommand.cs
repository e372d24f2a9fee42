using System.CommandLine;
using System.Text.Json;
using Perception.Bench;
using Perception.Datasets.PointClouds;
using Perception.Datasets.SemanticKitti;
using Pvcnn;
using Spectre.Console;
using TorchSparse;

namespace Perception.Cli.Commands;

/// <summary>`perception models`: the architectures, their parameters and MACs on a scan, next to the spvnas
/// README's figures.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Also summarise this checkpoint, model-zoo folder or SPVNAS net.config." };
        var arch = new Option<string?>("--arch") { Description = "Architecture of --model when its path does not tell (minkunet, spvcnn)." };
        var input = new Option<string?>("--input")
        {
            Description = "Count on this scan (.bin, .pcd, .ply, .las) or on --scans evenly spaced scans of a SemanticKITTI sequence folder "
                + "(e.g. sequences/08, the spvnas README's split) instead of a generated scan.",
        };
        var scans = new Option<int>("--scans") { Description = "Scans of a sequence --input to average over.", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated scan the MACs are counted on without --input.", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (exact MAC counts) instead of a table." };
        var threads = new Option<int>("--threads") { Description = "CPU threads (default: all).", DefaultValueFactory = _ => 0 };
        var command = new Command("models", "List the segmentation architectures with parameters and MACs on a SemanticKITTI-scale scan.")
        {
            model, arch, input, scans, seed, json, threads,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            Device.CpuThreads = parse.GetValue(threads);
            string? modelPath = parse.GetValue(model);
            SegmentationModel? user = modelPath is null ? null : PvcnnModels.Load(modelPath, parse.GetValue(arch));
            CountedScans counted = CountedScans.Open(parse.GetValue(input), parse.GetValue(scans), parse.GetValue(seed));
            var rows = new List<ModelRow>();
            List<(string Name, SegmentationModel Model, ZooEntry? Entry)> models =
                [.. ModelZoo.SemanticKitti.Where(e => e.Cr is not null).Select(e => ($"{e.Architecture} cr {e.Cr}", e.CreateUntrained()!, (ZooEntry?)e))];
            if (user is not null)
            {
                models.Add(($"{user.Architecture}: {Path.GetFileName(Path.TrimEndingDirectorySeparator(modelPath!))}", user, null));
            }

            void CountAll(Action<string> starting)
            {
                foreach ((string name, SegmentationModel m, ZooEntry? entry) in models)
                {
                    starting(name);
                    rows.Add(Count(name, m, entry, counted));
                }
            }

            if (parse.GetValue(json))
            {
                CountAll(_ => { });
                Console.WriteLine(ToJson(counted, rows));
                return 0;
            }

            AnsiConsole.Progress().Start(progress =>
            {
                ProgressTask task = progress.AddTask("counting", maxValue: models.Count);
                CountAll(name =>
                {
                    task.Value = rows.Count;
                    task.Description = Markup.Escape(name);
                });
                task.Value = models.Count;
            });
            Print(counted, rows);
            return 0;
        }));
        return command;
    }

    private static ModelRow Count(string name, SegmentationModel model, ZooEntry? entry, CountedScans counted)
    {
        var segmenter = new SemanticSegmenter(model);
        long macs = 0;
        double ms = 0;
        foreach (float[] points in counted.Scans)
        {
            var profile = new ForwardProfile();
            segmenter.Segment(points, profile);
            macs += profile.Macs;
            ms += profile.TotalMilliseconds;
        }

        int n = counted.Scans.Count;
        return new ModelRow(name, model.ParameterCount, macs / n, ms / n, entry);
    }

    private static void Print(CountedScans counted, List<ModelRow> rows)
    {
        var table = new Table()
            .Title(Markup.Escape(counted.Description))
            .AddColumns("model", "params (M)", "MACs (G)", "pass (ms)", "README params (M)", "README MACs (G)", "README mIoU");
        foreach (ModelRow row in rows)
        {
            table.AddRow(
                Markup.Escape(row.Name),
                $"{row.Parameters / 1e6:F2}",
                row.Macs >= 10e9 ? $"{row.Macs / 1e9:F1}" : $"{row.Macs / 1e9:F3}",
                $"{row.Milliseconds:F0}",
                row.Entry is null ? "-" : $"{row.Entry.ParamsMillions}",
                row.Entry is null ? "-" : $"{row.Entry.GMacs}",
                row.Entry is null ? "-" : $"{row.Entry.MIoU}");
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(
            "[grey]README figures are spvnas's, on real SemanticKITTI scans (sequence 08); MACs scale with a scan's voxels "
            + "and neighbours" + (counted.Source.StartsWith("generated:", StringComparison.Ordinal)
                ? ", and the generated scan gives about 13 % fewer than real ones (count on yours with --input sequences/08)"
                : string.Empty)
            + ". SPVNAS subnets: " +
            string.Join(", ", ModelZoo.SemanticKitti.Where(e => e.Cr is null).Select(e => $"{e.ParamsMillions} M / {e.GMacs} G / {e.MIoU}")) + ".[/]");
    }

    private static string ToJson(CountedScans counted, List<ModelRow> rows)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("input", counted.Source);
            json.WriteNumber("scans", counted.Scans.Count);
            json.WriteNumber("mean_points", counted.Scans.Average(s => s.Length / 4));
            json.WriteStartArray("models");
            foreach (ModelRow row in rows)
            {
                json.WriteStartObject();
                json.WriteString("name", row.Name);
                json.WriteString("net_id", row.Entry?.NetId);
                json.WriteNumber("parameters", row.Parameters);
                json.WriteNumber("macs", row.Macs);
                json.WriteNumber("mean_pass_ms", Math.Round(row.Milliseconds, 1));
                if (row.Entry is not null)
                {
                    json.WriteNumber("readme_gmacs", row.Entry.GMacs);
                    json.WriteNumber("readme_params_millions", row.Entry.ParamsMillions);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>One model's parameters and its MACs and pass time averaged over the counted scans.</summary>
    private sealed record ModelRow(string Name, long Parameters, long Macs, double Milliseconds, ZooEntry? Entry);

    /// <summary>The scans MACs are counted on: a user's scan, evenly spaced scans of a sequence, or a generated scan.</summary>
    private sealed record CountedScans(string Source, string Description, IReadOnlyList<float[]> Scans)
    {
        public static CountedScans Open(string? input, int scans, int seed)
        {
            if (input is null)
            {
                StandardWorkload workload = StandardWorkload.Create(seed);
                return new CountedScans($"generated:{seed}",
                    $"Counted on a generated 64-beam scan: {workload.Scan.Count:N0} points, {workload.VoxelCount:N0} voxels",
                    [workload.Scan.Points.ToArray()]);
            }

            if (!Directory.Exists(input))
            {
                float[] points = PointCloudFile.Read(input);
                return new CountedScans(input, $"Counted on {input}: {points.Length / 4:N0} points", [points]);
            }

            if (scans < 1)
            {
                throw new ArgumentException($"--scans: {scans}; at least one scan is needed.");
            }

            IReadOnlyList<KittiFrame> frames = KittiSequence.ListFrames(input);
            if (frames.Count == 0)
            {
                throw new IOException($"--input: '{input}' has no velodyne/*.bin scans.");
            }

            // Evenly spaced over the drive, so one street does not stand for the whole sequence.
            int taken = Math.Min(scans, frames.Count);
            float[][] read = [.. Enumerable.Range(0, taken).Select(i => KittiScanFile.Read(frames[(int)((long)i * frames.Count / taken)].ScanPath))];
            return new CountedScans(input,
                $"Counted on {taken} of the {frames.Count} scans of {input} (mean {read.Average(s => s.Length / 4):N0} points), MACs averaged",
                read);
        }
    }
}
