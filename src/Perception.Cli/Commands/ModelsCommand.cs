using System.CommandLine;
using Perception.Bench;
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
        var seed = new Option<int>("--seed") { Description = "Seed of the generated scan the MACs are counted on.", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "CPU threads (default: all).", DefaultValueFactory = _ => 0 };
        var command = new Command("models", "List the segmentation architectures with parameters and MACs on a SemanticKITTI-scale scan.")
        {
            model,
            arch,
            seed,
            threads,
        };
        command.SetAction(parse => CliErrors.Run(() =>
            Run(parse.GetValue(model), parse.GetValue(arch), parse.GetValue(seed), parse.GetValue(threads))));
        return command;
    }

    private static int Run(string? modelPath, string? arch, int seed, int threads)
    {
        Device.CpuThreads = threads;
        SegmentationModel? user = modelPath is null ? null : PvcnnModels.Load(modelPath, arch);
        StandardWorkload workload = StandardWorkload.Create(seed);
        float[] points = workload.Scan.Points.ToArray();
        var table = new Table()
            .Title($"Counted on a generated 64-beam scan: {workload.Scan.Count:N0} points, {workload.VoxelCount:N0} voxels")
            .AddColumns("model", "params (M)", "MACs (G)", "first pass (ms)", "README params (M)", "README MACs (G)", "README mIoU");
        AnsiConsole.Progress().Start(progress =>
        {
            List<ZooEntry> entries = ModelZoo.SemanticKitti.Where(e => e.Cr is not null).ToList();
            ProgressTask task = progress.AddTask("counting", maxValue: entries.Count + (user is null ? 0 : 1));
            foreach (ZooEntry entry in entries)
            {
                task.Description = entry.NetId;
                SegmentationModel m = entry.CreateUntrained()!;
                AddRow(table, $"{entry.Architecture} cr {entry.Cr}", m, points, entry);
                task.Increment(1);
            }

            if (user is not null)
            {
                task.Description = modelPath!;
                AddRow(table, $"{user.Architecture}: {Path.GetFileName(Path.TrimEndingDirectorySeparator(modelPath!))}", user, points, null);
                task.Increment(1);
            }
        });
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(
            "[grey]README figures are spvnas's, on real SemanticKITTI scans (sequence 08); MACs scale with a scan's voxels "
            + "and neighbours, so a generated scan gives smaller counts. SPVNAS subnets: " +
            string.Join(", ", ModelZoo.SemanticKitti.Where(e => e.Cr is null).Select(e => $"{e.ParamsMillions} M / {e.GMacs} G / {e.MIoU}")) + ".[/]");
        return 0;
    }

    private static void AddRow(Table table, string name, SegmentationModel model, float[] points, ZooEntry? entry)
    {
        var segmenter = new SemanticSegmenter(model);
        var profile = new ForwardProfile();
        segmenter.Segment(points, profile);
        table.AddRow(
            Markup.Escape(name),
            $"{model.ParameterCount / 1e6:F2}",
            $"{profile.Macs / 1e9:F1}",
            $"{profile.TotalMilliseconds:F0}",
            entry is null ? "-" : $"{entry.ParamsMillions}",
            entry is null ? "-" : $"{entry.GMacs}",
            entry is null ? "-" : $"{entry.MIoU}");
    }
}
