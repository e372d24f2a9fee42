using System.CommandLine;
using Perception.Cli.Commands;

namespace Perception.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("Perception SDK: sparse-convolution engine and 3D point-cloud perception tools.")
        {
            DemoCommand.Create(),
            BenchCommand.Create(),
            ModelsCommand.Create(),
        };
        return root.Parse(args).Invoke();
    }
}
