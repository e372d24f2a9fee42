using System.Buffers.Binary;
using Perception.Datasets.SemanticKitti;
using Perception.Ros2.Messages;
using Perception.Ros2.PointClouds;
using Perception.Ros2.Rosbag;

namespace Perception.Cli.Tests;

/// <summary>`perception render` on the inputs beyond a single scan: a prediction against its truth (side by side and
/// errors), and MCAP recordings (a topic and message chosen, or the topics listed when none is).</summary>
[Collection("cli")]
public sealed class ViewerInputsCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("perception-inputs-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("side-by-side", 2 * 160 + 8)]
    [InlineData("errors", 160)]
    public void A_prediction_renders_beside_its_truth_or_as_errors(string view, int width)
    {
        string scan = Path.Combine(folder, "000000.bin");
        var points = new List<float>();
        for (int i = 0; i < 100; i++)
        {
            points.AddRange([(i % 10) - 5f, (i / 10) - 5f, 0, 0.5f]);
        }

        KittiScanFile.Write(scan, [.. points]);
        KittiLabelFile.Write(Path.Combine(folder, "000000.label"), [.. Enumerable.Repeat(40u, 100)]);
        string predictions = Directory.CreateDirectory(Path.Combine(folder, "predictions")).FullName;
        KittiLabelFile.Write(Path.Combine(predictions, "000000.label"), [.. Enumerable.Range(0, 100).Select(i => i < 10 ? 10u : 40u)]);

        string png = Path.Combine(folder, "compare.png");
        (int code, string output) = CliOutput.Run(["render", scan, "--predictions", predictions, "--view", view, "--out", png, "--size", "160x120"]);
        Assert.True(code == 0, output);
        Assert.Contains("accuracy 90.0%", output, StringComparison.Ordinal);
        byte[] bytes = File.ReadAllBytes(png);
        Assert.Equal((width, 120), (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20))));
    }

    [Fact]
    public void A_recording_with_two_cloud_topics_needs_one_chosen_and_renders_the_chosen_message()
    {
        string path = Path.Combine(folder, "two.mcap");
        using (var writer = new RosbagMcapWriter(path))
        {
            writer.AddTopic<PointCloud2>("/front/points", QosProfile.SensorData);
            writer.AddTopic<PointCloud2>("/rear/points", QosProfile.SensorData);
            for (int i = 0; i < 3; i++)
            {
                var header = new Header(Time.FromNanoseconds(i * 100_000_000L), "velodyne");
                PointCloud2 cloud = PointCloud2Builder.Build(header, [1, 2, 0, -3, 4, 1, 5, -5, 2], labels: [10, 40, 50]);
                writer.Write("/front/points", cloud, i * 100_000_000L);
                writer.Write("/rear/points", cloud, i * 100_000_000L);
            }

            writer.Finish();
        }

        string png = Path.Combine(folder, "rec.png");
        (int code, string output) = CliOutput.Run(["render", path, "--out", png]);
        Assert.Equal(2, code);
        Assert.Contains("/front/points, /rear/points; choose one with --topic", output, StringComparison.Ordinal);
        Assert.False(File.Exists(png));

        (code, output) = CliOutput.Run(["render", path, "--topic", "/rear/points", "--frame", "2", "--out", png, "--size", "64x64"]);
        Assert.True(code == 0, output);
        Assert.Contains("/rear/points message 3/3: 3 points", output, StringComparison.Ordinal);
        Assert.Contains("coloured by class", output, StringComparison.Ordinal);
        Assert.True(File.Exists(png));
    }
}
