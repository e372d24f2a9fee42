using System.CommandLine;
using System.Diagnostics;
using Perception.Bench;
using Perception.Cli.Imaging;
using Spectre.Console;
using TorchSparse;

namespace Perception.Cli.Commands;

/// <summary>`perception demo`: the engine end to end on a generated scan, with a per-stage report and a picture.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var seed = new Option<int>("--seed") { Description = "Scene seed of the generated scan.", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out")
        {
            Description = "Where to write the bird's-eye picture (PNG).",
            DefaultValueFactory = _ => "demo.png",
        };
        var threads = new Option<int>("--threads") { Description = "CPU threads (default: all).", DefaultValueFactory = _ => 0 };
        var command = new Command("demo", "Run the sparse-conv engine on a generated 64-beam LiDAR scan and report each stage.")
        {
            seed,
            output,
            threads,
        };
        command.SetAction(parse => CliErrors.Run(() => Run(parse.GetValue(seed), parse.GetValue(output)!, parse.GetValue(threads))));
        return command;
    }

    private static int Run(int seed, string output, int threads)
    {
        CliErrors.RequireOutputFolder(output, "--out");
        Device.CpuThreads = threads;
        StandardWorkload workload = null!;
        SparseTensor input = null!;
        double scanMs = Time(() => workload = StandardWorkload.Create(seed));
        double voxelMs = Time(() => input = workload.PointFeatures());
        AnsiConsole.MarkupLine(
            $"[bold]Scan[/] seed {seed}: {workload.Scan.Count:N0} points from a 64-beam ray cast ({scanMs:F0} ms), "
            + $"{workload.VoxelCount:N0} voxels at {StandardWorkload.VoxelSize} m ({voxelMs:F0} ms to quantize).");

        var network = new DemoNetwork(inChannels: 4, classes: 19, seed: seed);
        SparseTensor logits = null!;
        double firstMs = Time(() => logits = network.Forward(input));
        var stages = new List<StageReport>();
        double steadyMs = Time(() => logits = network.Forward(input, stages));

        var table = new Table().Title($"MinkUNet-shaped network, {Device.CpuThreads} threads (kernel maps cached)")
            .AddColumns("stage", "rows in", "rows out", "pairs", "ms", "GFLOP/s");
        foreach (StageReport s in stages)
        {
            table.AddRow(s.Name, $"{s.RowsIn:N0}", $"{s.RowsOut:N0}", $"{s.Pairs:N0}", $"{s.Milliseconds:F1}", $"{s.Gflops:F0}");
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(
            $"First pass (builds {input.Cache.KernelMapCount} kernel maps): [bold]{firstMs:F0} ms[/]; "
            + $"with maps cached: [bold]{steadyMs:F0} ms[/]. Output: {logits.Count:N0} voxels x {logits.Channels} logits.");

        BevPicture.Write(output, workload.Scan);
        AnsiConsole.MarkupLine($"Bird's-eye view of the scan, coloured by simulated class: [link]{Path.GetFullPath(output)}[/]");
        return 0;
    }

    private static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
