using Perception.Cli.Nodes;
using Perception.Ros2.Mcap;
using Perception.Ros2.Messages;
using Perception.Ros2.PointClouds;
using Perception.Ros2.Rosbag;
using Pvcnn;
using Spectre.Console;

namespace Perception.Cli.Commands;

/// <summary>
/// `perception segment --input drive.mcap`: every PointCloud2 message of one topic segmented and written to a new
/// recording as the node publishes it (same points, <c>label</c> and packed <c>rgb</c> fields; see
/// <see cref="SegmentationNode.Labelled"/>) with the input's header, log and publish times, so both recordings line up
/// in Foxglove or `ros2 bag play`.
/// </summary>
internal static class McapSegmentation
{
    public static int Run(SegmentationModel model, string input, string? output, string? topic, string? outputTopic)
    {
        output ??= Path.Combine(Path.GetDirectoryName(Path.GetFullPath(input))!,
            Path.GetFileNameWithoutExtension(input) + ".segmented.mcap");
        CliErrors.RequireOutputFolder(output, "--output");
        if (Path.GetFullPath(output) == Path.GetFullPath(input))
        {
            throw new ArgumentException("--output: the labelled recording cannot replace its input.");
        }

        using McapReader reader = McapReader.Open(input);
        topic ??= ConvertCommand.PointCloudTopic(reader, input);
        outputTopic ??= topic + "/segmented";
        using var writer = new RosbagMcapWriter(output);
        writer.AddTopic<PointCloud2>(outputTopic, QosProfile.Default); // the node publishes reliable, as rviz2 expects
        var segmenter = new SemanticSegmenter(model);
        long points = 0;
        int clouds = 0;
        int total = reader.Statistics?.ChannelMessageCounts
            .Where(c => reader.Channels.GetValueOrDefault(c.Key)?.Topic == topic).Sum(c => (int)c.Value) ?? 0;
        ConvertCommand.Progress(total, $"segmenting {topic}", advance =>
        {
            foreach ((McapMessageView view, PointCloud2 cloud) in ConvertCommand.ReadClouds(reader, topic))
            {
                float[] xyzi = new PointCloud2Reader(cloud).ReadXyzi(requireIntensity: false);
                int[] classes = segmenter.Segment(xyzi).PointClasses;
                PointCloud2 labelled = SegmentationNode.Labelled(cloud.Header, xyzi, classes);
                writer.WriteSerialized(outputTopic, labelled.Serialize(), (long)view.Message.LogTime,
                    (long)view.Message.PublishTime);
                points += classes.Length;
                clouds++;
                advance();
            }
        });
        if (clouds == 0)
        {
            throw new ArgumentException($"--topic: {input} has no messages on {topic}.");
        }

        writer.Finish();
        AnsiConsole.MarkupLine($"{clouds} clouds ({points:N0} points) from {Markup.Escape(topic)} segmented by "
            + $"{Markup.Escape(model.Architecture)} onto {Markup.Escape(outputTopic)}: {Markup.Escape(Path.GetFullPath(output))}");
        return 0;
    }
}
