using System.CommandLine;
using Perception.Cli.Commands;

namespace Perception.Cli;

internal static class Program
{
    private static int Main(string[] args) => Run(args);

    /// <summary>Parses and runs one command line; the exit code is 0, 1 (usage) or 2 (bad input).</summary>
    internal static int Run(string[] args)
    {
        var root = new RootCommand("Perception SDK: sparse-convolution engine and 3D point-cloud perception tools.")
        {
            DemoCommand.Create(),
            BenchCommand.Create(),
            ModelsCommand.Create(),
            SegmentCommand.Create(),
            EvalCommand.Create(),
            SimulateCommand.Create(),
            TrainCommand.Create(),
            TuneCommand.Create(),
            ConvertCommand.Create(),
            RenderCommand.Create(),
            ExportCommand.Create(),
            ViewCommand.Create(),
            Ros2Command.Create(),
            RecordCommand.Create(),
            PlayCommand.Create(),
            FoxgloveCommand.Create(),
        };
        return root.Parse(args).Invoke();
    }
}
