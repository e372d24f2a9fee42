using System.CommandLine;
using Perception.Viewer.Export;
using Perception.Viewer.Scenes;
using Spectre.Console;

namespace Perception.Cli.Commands;

/// <summary>`perception export`: a scan (and boxes) as a glTF 2.0 binary for any 3D tool or web viewer.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var scene = new SceneInputOptions();
        var output = new Option<string>("--out") { Description = ".glb file to write (atomically).", Required = true };
        var command = new Command("export", "Export a point cloud, its boxes, grid and axes as glTF 2.0 (.glb); "
            + "classes go into the file as the _CLASS attribute and a legend.")
        {
            output,
        };
        scene.AddTo(command);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            string path = parse.GetValue(output)!;
            CliErrors.RequireOutputFolder(path, "--out");
            Scene loaded = scene.Load(parse);
            GltfExport.Write(path, loaded);
            SceneInputOptions.Describe(loaded);
            AnsiConsole.MarkupLine($"Wrote glTF 2.0 ({new FileInfo(path).Length / 1024.0:F0} KiB): "
                + $"[link]{Markup.Escape(Path.GetFullPath(path))}[/]");
            return 0;
        }));
        return command;
    }
}
