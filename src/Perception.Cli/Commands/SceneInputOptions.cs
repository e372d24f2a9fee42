using System.CommandLine;
using Perception.Viewer.Scenes;
using Spectre.Console;

namespace Perception.Cli.Commands;

/// <summary>The input options render, export and view share: the scan, its labels, boxes and the colouring.</summary>
internal sealed class SceneInputOptions
{
    private readonly Argument<string> input = new("input")
    {
        Description = "A scan: .bin (labels from NAME.label beside it or the sequence's labels/ folder), .pcd or .ply. "
            + "Points with a NaN or infinite coordinate are skipped and counted.",
    };

    private readonly Option<string?> labels = new("--labels") { Description = "SemanticKITTI .label file for the points." };

    private readonly Option<string?> boxes = new("--boxes")
    {
        Description = "Text file of 3D boxes, one per line: x y z dx dy dz heading [label] (OpenPCDet order, sensor frame).",
    };

    private readonly Option<PointColoring> color = new("--color")
    {
        Description = "Colour points by class, intensity or height (auto: class with labels, else intensity, else height).",
        DefaultValueFactory = _ => PointColoring.Auto,
    };

    public void AddTo(Command command)
    {
        command.Arguments.Add(input);
        command.Options.Add(labels);
        command.Options.Add(boxes);
        command.Options.Add(color);
    }

    public string Input(ParseResult parse) => parse.GetValue(input)!;

    /// <summary>The scene of the input file (or of <paramref name="path"/> instead, for a frame of a sequence).</summary>
    public Scene Load(ParseResult parse, string? path = null)
    {
        string? boxPath = parse.GetValue(boxes);
        IReadOnlyList<OrientedBox> boxList = boxPath is null ? [] : BoxFile.Read(boxPath);
        SceneCloud cloud = SceneCloudReader.Read(path ?? Input(parse), path is null ? parse.GetValue(labels) : null);
        return SceneBuilder.Build(cloud, parse.GetValue(color), boxList);
    }

    /// <summary>One line about the points, and the legend as coloured swatches when coloured by class.</summary>
    public static void Describe(Scene scene)
    {
        string skipped = scene.Cloud.SkippedPoints > 0
            ? $", [yellow]{scene.Cloud.SkippedPoints:N0} skipped[/] for a NaN or infinite coordinate" : "";
        AnsiConsole.MarkupLine($"{Markup.Escape(scene.Cloud.Source)}: {scene.Cloud.Count:N0} points{skipped}, "
            + $"coloured by {scene.Coloring.ToString().ToLowerInvariant()}, {scene.Boxes.Count} boxes.");
        foreach (LegendEntry entry in scene.Legend)
        {
            AnsiConsole.MarkupLine($"  [rgb({entry.Color.R},{entry.Color.G},{entry.Color.B})]██[/] {entry.ClassId,2} "
                + $"{Markup.Escape(entry.Name),-14} {entry.Points,9:N0}");
        }
    }
}
