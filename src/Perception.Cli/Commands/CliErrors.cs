using Spectre.Console;
using TorchSparse;

namespace Perception.Cli.Commands;

/// <summary>Turns the failures a user can cause (bad input, unwritable paths) into one clear line and exit code 2.</summary>
internal static class CliErrors
{
    public static int Run(Func<int> command)
    {
        try
        {
            return command();
        }
        catch (Exception e) when (e is SparseEngineException or Datasets.DatasetFormatException or IOException or UnauthorizedAccessException
            or ArgumentException or InvalidOperationException or NotSupportedException or Training.TrainingConfigException
            or TorchSparse.Gpu.OpenCl.OpenClException or TorchSparse.Gpu.OpenCl.OpenClUnavailableException
            or Ros2.Mcap.McapFormatException or Ros2.Cdr.CdrFormatException or Ros2.PointClouds.PointCloud2LayoutException
            or Ros2.Compression.CompressionUnavailableException or Ros2.Dds.DdsException
            or Viewer.ViewerException)
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(UserMessage(e))}");
            return 2;
        }
    }

    // ArgumentException appends " (Parameter 'name')" with the code's parameter name, which means nothing to a user.
    private static string UserMessage(Exception e) => e is ArgumentException { ParamName: { } name }
        ? e.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal)
        : e.Message;

    /// <summary>Fails before any work when the folder an output file goes into does not exist.</summary>
    public static void RequireOutputFolder(string path, string option)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is null || !Directory.Exists(folder))
        {
            throw new IOException($"{option}: the folder of '{path}' does not exist.");
        }
    }
}
