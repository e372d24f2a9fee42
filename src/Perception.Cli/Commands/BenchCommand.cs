using System.CommandLine;
using Perception.Bench;
using Spectre.Console;
using TorchSparse;

namespace Perception.Cli.Commands;

/// <summary>`perception bench`: the engine's figures next to OpenBLAS and PyTorch, measured in one run.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = "Fewer repeats and only the 64-channel PyTorch reference (about two minutes)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (figures by key) instead of a table." };
        var threads = new Option<int>("--threads") { Description = "CPU threads for the engine and the references (default: all).", DefaultValueFactory = _ => 0 };
        var suite = new Option<string>("--suite")
        {
            Description = "engine (GEMM, kernel maps, convs, memory), models (end-to-end MinkUNet/SPVCNN), all (both), or "
                + "ros2 (the soak: 120k-point clouds at 10 Hz through `ros2 segment` in a second process; not part of all).",
            DefaultValueFactory = _ => "all",
        };
        suite.AcceptOnlyFromAmong("all", "engine", "models", "ros2");
        var seconds = new Option<double?>("--seconds") { Description = "ros2: publishing time of each soak phase (default 180; 20 with --quick)." };
        Option<string> backend = BackendOption.Create(
            "Where the engine figures run; on opencl each is checked against the CPU backend.");
        var command = new Command("bench", "Measure GEMM, kernel maps, sparse conv per dataflow, the autotuner, memory and the end-to-end models against references.")
        {
            quick,
            json,
            threads,
            suite,
            backend,
            seconds,
        };
        command.SetAction(parse => CliErrors.Run(() => Run(
            parse.GetValue(quick), parse.GetValue(json), parse.GetValue(threads), parse.GetValue(suite)!,
            parse.GetValue(backend) == BackendOption.OpenCl, parse.GetValue(seconds))));
        return command;
    }

    private static int Run(bool quick, bool json, int threads, string suite, bool openCl, double? seconds)
    {
        if (seconds is <= 0)
        {
            throw new ArgumentException("--seconds: give a positive number of seconds.");
        }

        Device.CpuThreads = threads;
        bool engine = suite is "all" or "engine";
        bool models = suite is "all" or "models";
        if (openCl && models && !engine)
        {
            throw new ArgumentException("--backend opencl runs the engine figures; the models run on the CPU backend only.");
        }

        BenchReport Measure(IProgress<string> progress) =>
            suite == "ros2" ? Ros2SoakBench.Run(StartSelf, seconds ?? (quick ? 20 : 180), threads, progress)
            : openCl ? GeneratedBench.Run(quick, progress) : EngineBench.Run(quick, progress, engine, models);
        BenchReport report;
        if (json)
        {
            report = Measure(new SyncProgress(Console.Error.WriteLine));
            Console.WriteLine(report.ToJson());
            return 0;
        }

        report = null!;
        AnsiConsole.Status().Start("benchmarking", context =>
            report = Measure(new SyncProgress(message => context.Status(message))));
        var table = new Table().AddColumns("figure", "value", "unit", "what");
        foreach (BenchMetric m in report.Metrics)
        {
            table.AddRow(m.Key, Markup.Escape(m.Value.ToString() ?? string.Empty), m.Unit, Markup.Escape(m.Description));
        }

        AnsiConsole.Write(table);
        return 0;
    }

    /// <summary>This CLI again, in a new process: the apphost as it is, or `dotnet perception.dll`.</summary>
    private static System.Diagnostics.ProcessStartInfo StartSelf(IReadOnlyList<string> arguments)
    {
        string host = Environment.ProcessPath ?? "dotnet";
        var start = new System.Diagnostics.ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(BenchCommand).Assembly.Location);
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private sealed class SyncProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
