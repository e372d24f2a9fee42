using System.CommandLine;
using Perception.Datasets.PointClouds;
using Perception.Datasets.SemanticKitti;
using Perception.Ros2.Compression;
using Perception.Ros2.Mcap;
using Perception.Ros2.Messages;
using Perception.Ros2.PointClouds;
using Perception.Ros2.Rosbag;
using Spectre.Console;

namespace Perception.Cli.Commands;

/// <summary>`perception convert`: scans or a SemanticKITTI sequence to a rosbag2-compatible MCAP of PointCloud2
/// messages, and an MCAP's PointCloud2 messages back to one point-cloud file each.</summary>
internal static class ConvertCommand
{
    private static readonly string[] ScanExtensions = [".bin", ".pcd", ".ply", ".las"];

    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A scan (.bin, .pcd, .ply, .las), a SemanticKITTI sequence folder (sequences/NN), or an .mcap file." };
        var output = new Option<string>("--out") { Description = "The .mcap file to write, or (from an .mcap) the folder for the scans.", Required = true };
        var topic = new Option<string?>("--topic") { Description = "PointCloud2 topic (default /points; from an .mcap: the only PointCloud2 topic)." };
        var frame = new Option<string>("--frame-id") { Description = "header.frame_id of the written clouds.", DefaultValueFactory = _ => "velodyne" };
        var compression = new Option<string>("--compression") { Description = "MCAP chunk compression: zstd, lz4 or none.", DefaultValueFactory = _ => "zstd" };
        var format = new Option<string>("--format") { Description = "From an .mcap: the file format of the scans, bin, pcd or ply.", DefaultValueFactory = _ => "pcd" };
        var command = new Command("convert", "Convert scans or a SemanticKITTI sequence to an MCAP recording (sensor_msgs/PointCloud2), or an MCAP back to scans.")
        {
            input, output, topic, frame, compression, format,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            string source = parse.GetValue(input)!, target = parse.GetValue(output)!;
            return Path.GetExtension(source).Equals(".mcap", StringComparison.OrdinalIgnoreCase) && File.Exists(source)
                ? McapToScans(source, target, parse.GetValue(topic), ParseFormat(parse.GetValue(format)!))
                : ScansToMcap(source, target, parse.GetValue(topic) ?? "/points", parse.GetValue(frame)!,
                    ParseCompression(parse.GetValue(compression)!));
        }));
        return command;
    }

    private static int ScansToMcap(string source, string target, string topic, string frameId, McapCompression compression)
    {
        CliErrors.RequireOutputFolder(target, "--out");
        if (!topic.StartsWith('/'))
        {
            throw new ArgumentException($"--topic: '{topic}' is not a ROS topic name (it starts with '/').");
        }

        (string Path, long StampNs)[] scans = Directory.Exists(source) ? SequenceScans(source) : [(SingleScan(source), 0)];
        using var writer = new RosbagMcapWriter(target, new McapWriterOptions { Compression = compression });
        writer.AddTopic<PointCloud2>(topic, QosProfile.SensorData);
        long points = 0;
        Progress(scans.Length, "scans to MCAP", advance =>
        {
            foreach ((string path, long stamp) in scans)
            {
                PointCloud2 cloud = ScanToCloud(path, new Header(Time.FromNanoseconds(stamp), frameId));
                writer.WriteSerialized(topic, cloud.Serialize(), stamp);
                points += cloud.Width * cloud.Height;
                advance();
            }
        });
        writer.Finish();
        AnsiConsole.MarkupLine($"{scans.Length} PointCloud2 messages ({points:N0} points) on {Markup.Escape(topic)}: "
            + Markup.Escape(Path.GetFullPath(target)));
        return 0;
    }

    /// <summary>A KITTI .bin becomes x, y, z, intensity float32 wrapping the file's bytes as they are (no
    /// conversion); other formats keep every field in its own type.</summary>
    private static PointCloud2 ScanToCloud(string path, Header header) =>
        Path.GetExtension(path).Equals(".bin", StringComparison.OrdinalIgnoreCase)
            ? PointCloud2Builder.WrapXyzi(header, ReadKittiBytes(path))
            : PointCloudConversion.ToPointCloud2(PointCloudFile.ReadCloud(path), header);

    private static byte[] ReadKittiBytes(string path)
    {
        _ = KittiScanFile.CountPoints(path); // refuses a size that is not whole points, with the dataset's message
        return File.ReadAllBytes(path);
    }

    /// <summary>The sequence's scans stamped from times.txt (seconds from the first scan), or at 10 Hz without it.
    /// </summary>
    private static (string, long)[] SequenceScans(string folder)
    {
        IReadOnlyList<KittiFrame> frames = KittiSequence.ListFrames(folder);
        string timesPath = Path.Combine(folder, "times.txt");
        double[]? times = File.Exists(timesPath) ? KittiTimesFile.Read(timesPath) : null;
        if (times is not null && times.Length < frames.Count)
        {
            throw new ArgumentException($"{timesPath}: {times.Length} times for {frames.Count} scans.");
        }

        return [.. frames.Select((f, i) => (f.ScanPath, times is null ? i * 100_000_000L : (long)Math.Round(times[i] * 1e9)))];
    }

    private static string SingleScan(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"input: '{path}' is neither a file nor a sequence folder.", path);
        }

        string extension = Path.GetExtension(path).ToLowerInvariant();
        return ScanExtensions.Contains(extension) ? path
            : throw new ArgumentException($"input: '{extension}' is not a scan (.bin, .pcd, .ply, .las) or an .mcap file.");
    }

    private static int McapToScans(string source, string folder, string? topic, string format)
    {
        using McapReader reader = McapReader.Open(source);
        topic ??= PointCloudTopic(reader, source);
        Directory.CreateDirectory(folder);
        int written = 0;
        Progress(reader.Statistics is { } s ? (int)s.MessageCount : 0, $"{topic} to {format}", advance =>
        {
            foreach ((McapMessageView _, PointCloud2 cloud) in ReadClouds(reader, topic))
            {
                WriteScan(Path.Combine(folder, $"{written++:D6}.{format}"), cloud);
                advance();
            }
        });
        AnsiConsole.MarkupLine($"{written} scans from {Markup.Escape(topic)}: {Markup.Escape(Path.GetFullPath(folder))}");
        return 0;
    }

    /// <summary>The one PointCloud2 topic of a recording's summary; several or none need --topic.</summary>
    internal static string PointCloudTopic(McapReader reader, string source)
    {
        string[] cloudTopics = [.. reader.Channels.Values
            .Where(c => reader.Schemas.GetValueOrDefault(c.SchemaId)?.Name == PointCloud2.MessageType.RosName)
            .Select(c => c.Topic).Distinct()];
        return cloudTopics.Length == 1 ? cloudTopics[0] : throw new ArgumentException(cloudTopics.Length == 0
            ? $"{source}: no sensor_msgs/msg/PointCloud2 topic in the summary; name one with --topic."
            : $"--topic: {source} has several PointCloud2 topics ({string.Join(", ", cloudTopics)}); choose one.");
    }

    /// <summary>The decoded PointCloud2 messages of <paramref name="topic"/>, refusing a topic of another type.</summary>
    internal static IEnumerable<(McapMessageView View, PointCloud2 Cloud)> ReadClouds(McapReader reader, string topic)
    {
        foreach (McapMessageView view in reader.ReadMessages(topic))
        {
            if (view.Schema?.Name != PointCloud2.MessageType.RosName || view.Channel.MessageEncoding != "cdr")
            {
                throw new ArgumentException($"--topic: {topic} carries {view.Schema?.Name ?? "schemaless"} messages, not cdr PointCloud2.");
            }

            yield return (view, RosSerialization.Deserialize<PointCloud2>(view.Message.Data));
        }
    }

    private static void WriteScan(string path, PointCloud2 cloud)
    {
        if (path.EndsWith(".bin", StringComparison.Ordinal))
        {
            float[] xyzi = new PointCloud2Reader(cloud).ReadXyzi(requireIntensity: true);
            KittiScanFile.Write(path, xyzi);
        }
        else if (path.EndsWith(".pcd", StringComparison.Ordinal))
        {
            PcdFile.Write(path, PointCloudConversion.ToPointCloud(cloud));
        }
        else
        {
            PlyFile.Write(path, PointCloudConversion.ToPointCloud(cloud));
        }
    }

    internal static void Progress(int total, string what, Action<Action> work) =>
        AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
            new RemainingTimeColumn()).Start(progress =>
        {
            ProgressTask task = progress.AddTask(what, maxValue: Math.Max(total, 1));
            work(() => task.Increment(1));
            task.Value = task.MaxValue;
        });

    internal static McapCompression ParseCompression(string name) => name switch
    {
        "zstd" => McapCompression.Zstd,
        "lz4" => McapCompression.Lz4,
        "none" => McapCompression.None,
        _ => throw new ArgumentException($"--compression: '{name}' is not zstd, lz4 or none."),
    };

    private static string ParseFormat(string name) => name is "bin" or "pcd" or "ply" ? name
        : throw new ArgumentException($"--format: '{name}' is not bin, pcd or ply.");
}
