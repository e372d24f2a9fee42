using System.CommandLine;
using Perception.Ros2.Mcap;
using Perception.Ros2.Node;
using Perception.Ros2.Rosbag;
using Spectre.Console;

namespace Perception.Cli.Commands;

/// <summary>`perception record`: ROS 2 topics to a rosbag2-style MCAP recording, like `ros2 bag record -s mcap`.</summary>
internal static class RecordCommand
{
    public static Command Create()
    {
        Option<string[]> topics = RosNodeArguments.TopicsOption("Topics to record: /a,/b (types and QoS are discovered).");
        var all = new Option<bool>("--all") { Description = "Record every ROS topic whose type the SDK defines." };
        var output = new Option<string>("--out")
        {
            Description = "A .mcap file, or a bag folder (rosbag2 layout: <name>_0.mcap and metadata.yaml) for any other name.",
            Required = true,
        };
        var duration = new Option<double?>("--duration") { Description = "Stop after this many seconds (default: at SIGINT/SIGTERM)." };
        var compression = new Option<string>("--compression") { Description = "MCAP chunk compression: zstd, lz4 or none.", DefaultValueFactory = _ => "zstd" };
        var nodeArguments = new RosNodeArguments();
        var command = new Command("record", "Record ROS 2 topics over DDS into an MCAP file that ros2 bag, Foxglove and `perception play` read.")
        {
            topics, all, output, duration, compression,
        };
        nodeArguments.AddTo(command);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            string[] names = parse.GetValue(topics) ?? [];
            if (names.Length == 0 && !parse.GetValue(all))
            {
                throw new ArgumentException("--topics: name the topics to record, or give --all.");
            }

            if (parse.GetValue(duration) is <= 0)
            {
                throw new ArgumentException("--duration: give a positive number of seconds.");
            }

            foreach (string name in names)
            {
                _ = RosNames.Resolve(name); // a bad name fails here, before any file exists
            }

            (string file, string? sidecar) = Layout(parse.GetValue(output)!);
            var options = new McapWriterOptions { Compression = ConvertCommand.ParseCompression(parse.GetValue(compression)!) };
            using var signals = new StopSignals();
            using RosNode node = nodeArguments.CreateNode(parse, "perception_recorder");
            using var writer = new RosbagMcapWriter(file, options);
            var recorder = new RosbagRecorder(node, writer, new RosbagRecordOptions { Topics = names, AllTopics = parse.GetValue(all) });
            if (parse.GetValue(duration) is double seconds)
            {
                signals.StopAfter(TimeSpan.FromSeconds(seconds));
            }

            RosbagRecordStatus? last = null;
            AnsiConsole.Status().Start("waiting for publishers", context => recorder.Run(signals.Token, status =>
            {
                last = status;
                context.Status(Markup.Escape(Line(status)));
            }));
            writer.Finish(sidecar);
            AnsiConsole.MarkupLine(Markup.Escape(last is null ? "stopped" : Line(last)) + ": " + Markup.Escape(Path.GetFullPath(file)));
            foreach (string skipped in last?.Skipped ?? [])
            {
                AnsiConsole.MarkupLine($"[yellow]not recorded:[/] {Markup.Escape(skipped)}");
            }

            return 0;
        }));
        return command;
    }

    /// <summary>The .mcap path and, for a bag folder, its metadata.yaml. Like rosbag2, a folder that already exists is
    /// refused rather than mixed with another recording.</summary>
    private static (string File, string? Sidecar) Layout(string output)
    {
        if (output.EndsWith(".mcap", StringComparison.OrdinalIgnoreCase))
        {
            CliErrors.RequireOutputFolder(output, "--out");
            return (output, null);
        }

        string folder = Path.TrimEndingDirectorySeparator(output);
        if (Directory.Exists(folder) || File.Exists(folder))
        {
            throw new IOException($"--out: '{folder}' already exists; rosbag2 bag folders are written fresh.");
        }

        CliErrors.RequireOutputFolder(folder, "--out");
        Directory.CreateDirectory(folder);
        return (Path.Combine(folder, Path.GetFileName(folder) + "_0.mcap"), Path.Combine(folder, "metadata.yaml"));
    }

    private static string Line(RosbagRecordStatus s) =>
        $"recording {s.Topics} topic{(s.Topics == 1 ? "" : "s")}: {s.Messages:N0} messages, " +
        $"{s.Bytes / 1e6:F1} MB in {s.Elapsed.TotalSeconds:F1} s";
}
