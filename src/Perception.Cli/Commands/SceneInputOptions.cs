using System.CommandLine;
using Perception.Datasets.SemanticKitti;
using Perception.Viewer;
using Perception.Viewer.Scenes;
using Perception.Viewer.Sources;
using Perception.Viewer.Windowing;
using Spectre.Console;

namespace Perception.Cli.Commands;

/// <summary>The input options render, export and view share: the scan, sequence or recording, its labels, boxes and
/// the colouring.</summary>
internal sealed class SceneInputOptions
{
    private readonly Argument<string> input = new("input")
    {
        Description = "A scan: .bin (labels from NAME.label beside it or the sequence's labels/ folder), .pcd or .ply; a "
            + "SemanticKITTI sequence folder (sequences/NN); an .mcap recording of sensor_msgs/PointCloud2; or a live "
            + "ROS 2 topic as ros2:/velodyne_points. Points with a NaN or infinite coordinate are skipped and counted.",
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

    private readonly Option<string?> topic = new("--topic")
    {
        Description = "The recording's PointCloud2 topic (default: its only one; with several, the error lists them).",
    };

    private readonly Option<int> frame = new("--frame")
    {
        Description = "Which message of the recording, or scan of the sequence, to render or export (0: the first).",
    };

    private readonly Option<LabelIds> labelIds = new("--label-ids")
    {
        Description = "A recording's label field holds raw SemanticKITTI ids (10 car, 40 road, ...; high 16 bits instance) "
            + "or official classes 0..19 (what `perception ros2 segment` publishes); auto: classes when every value is "
            + "0..19, else raw.",
        DefaultValueFactory = _ => LabelIds.Auto,
    };

    private readonly Option<uint?> domain = new("--domain-id") { Description = "A live topic's DDS domain (default: ROS_DOMAIN_ID, else 0)." };

    private readonly Option<bool> loopback = new("--loopback") { Description = "A live topic: discovery and data on 127.0.0.1 only." };

    private readonly Option<double> wait = new("--wait")
    {
        Description = "Seconds to wait for a live topic's first cloud.",
        DefaultValueFactory = _ => 10,
    };

    private readonly Option<int> keep = new("--keep")
    {
        Description = "Clouds of a live topic kept in memory for stepping back (newest first).",
        DefaultValueFactory = _ => 50,
    };

    public void AddTo(Command command)
    {
        command.Arguments.Add(input);
        foreach (Option option in (Option[])[labels, boxes, color, topic, frame, labelIds, domain, loopback, wait, keep])
        {
            command.Options.Add(option);
        }
    }

    public string Input(ParseResult parse) => parse.GetValue(input)!;

    /// <summary>The scene of the input (the <c>--frame</c>th of a sequence or recording).</summary>
    public Scene Load(ParseResult parse) => LoadFrame(parse, null).Scene;

    /// <summary>The <c>--frame</c>th frame, compared with <paramref name="predictions"/> when given.</summary>
    public ViewerFrame LoadFrame(ParseResult parse, string? predictions)
    {
        int index = parse.GetValue(frame);
        (IViewerFrames frames, IDisposable? owner) = Frames(parse, predictions);
        using (owner)
        {
            return index >= 0 && index < frames.Count ? frames.Load(index)
                : throw new ArgumentException($"--frame {index}: {Input(parse)} has {frames.Count} frames (0..{frames.Count - 1}).");
        }
    }

    /// <summary>Every frame of the input; dispose the owner (an open recording) after use.</summary>
    public (IViewerFrames Frames, IDisposable? Owner) Frames(ParseResult parse, string? predictions)
    {
        string path = Input(parse);
        if (path.StartsWith(LiveTopicPrefix, StringComparison.Ordinal))
        {
            RejectLabelFiles(parse, predictions);
            return LiveTopic(parse, path[LiveTopicPrefix.Length..]);
        }

        if (Path.GetExtension(path).Equals(".mcap", StringComparison.OrdinalIgnoreCase) && File.Exists(path))
        {
            RejectLabelFiles(parse, predictions);
            McapCloudFrames recording = McapCloudFrames.Open(path, parse.GetValue(topic));
            LabelIds ids = parse.GetValue(labelIds);
            string[] names = [.. Enumerable.Range(0, recording.Count).Select(i => $"{recording.Topic} #{i}")];
            return (new FrameList(names, i => Frame(parse, recording.Read(i, ids)), recording.SecondsAt), recording);
        }

        if (Directory.Exists(path))
        {
            string[] scans = [.. KittiSequence.ListFrames(path).Select(f => f.ScanPath)];
            return scans.Length == 0 ? throw new SceneInputException(path, "the sequence has no velodyne/*.bin scans")
                : (new FrameList(scans, i => Frame(parse, Read(scans[i], null, predictions))), null);
        }

        // Frames load lazily (the window opens first), so a missing file is named here, before any display work.
        return File.Exists(path)
            ? (new FrameList([path], _ => Frame(parse, Read(path, parse.GetValue(labels), predictions))), null)
            : throw new SceneInputException(path, "no such file or folder");
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

    private static SceneCloud Read(string scan, string? labelPath, string? predictions) =>
        SceneCloudReader.Read(scan, labelPath, predictions is null ? null : SceneCloudReader.PredictionsFor(scan, predictions));

    private const string LiveTopicPrefix = "ros2:";

    private void RejectLabelFiles(ParseResult parse, string? predictions)
    {
        if (predictions is not null || parse.GetValue(labels) is not null)
        {
            throw new ArgumentException("--predictions and --labels read .label files for scans; a recording's or a topic's "
                + "labels come from its PointCloud2 label field.");
        }
    }

    /// <summary>A live topic's frames once its first cloud is in (they keep coming while the window is open).</summary>
    private (IViewerFrames Frames, IDisposable? Owner) LiveTopic(ParseResult parse, string topicName)
    {
        double seconds = parse.GetValue(wait);
        var options = new Ros2.Node.RosNodeOptions
        {
            DdsConfigXml = parse.GetValue(loopback) ? Ros2.Dds.DdsConfig.LoopbackOnly() : null,
        };
        if (parse.GetValue(domain) is uint id)
        {
            options = options with { DomainId = id };
        }

        var live = new RosTopicFrames(topicName, options, parse.GetValue(labelIds), cloud => Frame(parse, cloud), parse.GetValue(keep));
        if (!live.WaitForFirst(TimeSpan.FromSeconds(seconds)))
        {
            live.Dispose();
            throw new SceneInputException(topicName, $"no sensor_msgs/PointCloud2 arrived within {seconds} s "
                + $"(domain {options.DomainId}{(parse.GetValue(loopback) ? ", loopback" : string.Empty)}).");
        }

        return (live, live);
    }

    private ViewerFrame Frame(ParseResult parse, SceneCloud cloud)
    {
        string? boxPath = parse.GetValue(boxes);
        IReadOnlyList<OrientedBox> boxList = boxPath is null ? [] : BoxFile.Read(boxPath);
        if (cloud.Predictions is null)
        {
            return new ViewerFrame(SceneBuilder.Build(cloud, parse.GetValue(color), boxList));
        }

        var comparison = new ScanComparison(cloud, boxList);
        return new ViewerFrame(comparison.Panels(ComparisonView.SideBySide)[0], comparison);
    }
}
