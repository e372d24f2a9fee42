using Perception.Cli.Commands;
using Perception.Cli.Nodes;
using Perception.Ros2.Dds;
using Perception.Ros2.Messages;
using Perception.Ros2.Node;
using Perception.Ros2.PointClouds;
using Perception.Ros2.Rosbag;
using Pvcnn;

namespace Perception.Cli.Tests;

/// <summary>`perception ros2 segment` end to end over DDS on loopback: a scan published by a C# node comes back with
/// the labels <see cref="SemanticSegmenter"/> gives for the same points, the palette colours, and diagnostics; a frame
/// with an inconsistent layout is counted and the node goes on.</summary>
[Collection("cli")]
public sealed class Ros2SegmentCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private readonly string folder = Directory.CreateTempSubdirectory("perception-ros2-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task A_published_scan_comes_back_labelled_as_the_segmenter_labels_it()
    {
        uint domain = (uint)(160 + (Environment.ProcessId % 60));
        string parameters = Path.Combine(folder, "segment.yaml");
        File.WriteAllText(parameters, "perception_segmenter:\n  ros__parameters:\n    input_topic: /e2e/points\n" +
            "    output_topic: /e2e/segmented\n    input_reliable: true\n    max_frames: 2\n");
        using var client = new RosNode("e2e_client", new RosNodeOptions
        {
            DomainId = domain, DdsConfigXml = DdsConfig.LoopbackOnly(),
        });
        using RosPublisher<PointCloud2> scans = client.CreatePublisher<PointCloud2>("/e2e/points", QosProfile.Default);
        using RosSubscription<PointCloud2> labelled = client.CreateSubscription<PointCloud2>("/e2e/segmented",
            QosProfile.Default);
        using RosSubscription<DiagnosticArray> diagnostics = client.CreateSubscription<DiagnosticArray>("/diagnostics",
            QosProfile.Default);
        Task<int> node = Task.Run(() => Program.Run(["ros2", "segment", "--params", parameters, "--loopback",
            "--domain-id", domain.ToString(), "--threads", "2"]));
        Assert.True(scans.Writer.WaitForReaders(1, Timeout), "the node never subscribed");

        PointCloud2 broken = Scan(1, 300) with { Data = new byte[100] }; // 300 points announced, 6 present
        scans.Publish(broken);
        Assert.Equal("1", Value(Next(diagnostics), "malformed"));

        var segmenter = new SemanticSegmenter(PvcnnModels.Load(ShippedModel.FilePath, null));
        for (int frame = 2; frame <= 3; frame++)
        {
            PointCloud2 scan = Scan(frame, 3000);
            scans.Publish(scan);
            PointCloud2 result = Next(labelled);
            float[] xyzi = new PointCloud2Reader(scan).ReadXyzi(requireIntensity: true);
            uint[] expected = [.. segmenter.Segment(xyzi).PointClasses.Select(c => (uint)c + 1)];
            var reader = new PointCloud2Reader(result);
            Assert.Equal(scan.Header, result.Header);
            Assert.Equal(expected, reader.ReadUInt32("label"));
            Assert.Equal(xyzi, reader.ReadXyzi(requireIntensity: true));
            Assert.Equal(expected.Select(Colour), reader.ReadPackedColor());
            DiagnosticArray stats = Next(diagnostics);
            Assert.Equal($"{frame - 1}", Value(stats, "processed"));
            Assert.Equal("3000", Value(stats, "points"));
        }

        Assert.Equal(0, await node.WaitAsync(Timeout)); // a TimeoutException if it does not stop after --max-frames
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task The_node_exits_cleanly_on_a_signal(string signal)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["COLUMNS"] = "300" },
        };
        string[] arguments = [Path.Combine(AppContext.BaseDirectory, "perception.dll"), "ros2", "segment", "--loopback",
            "--domain-id", $"{100 + (Environment.ProcessId % 50)}", "--threads", "1"];
        arguments.ToList().ForEach(start.ArgumentList.Add);
        using var node = System.Diagnostics.Process.Start(start)!;
        string? line;
        while ((line = await node.StandardOutput.ReadLineAsync()) is not null && !line.Contains("Ctrl-C to stop"))
        {
        }

        Assert.NotNull(line);
        using (var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", $"{node.Id}"]))
        {
            await kill.WaitForExitAsync();
        }

        string rest = await node.StandardOutput.ReadToEndAsync();
        await node.WaitForExitAsync().WaitAsync(Timeout);
        Assert.Equal(0, node.ExitCode);
        Assert.Contains("0 received, 0 segmented", rest);
    }

    [Fact]
    public void Unknown_parameters_are_refused_with_the_known_ones()
    {
        string parameters = Path.Combine(folder, "bad.yaml");
        File.WriteAllText(parameters, "input_topc: /points\n");
        var error = Assert.Throws<ArgumentException>(() => SegmentationNodeOptions.FromYaml(parameters));
        Assert.Contains("input_topic", error.Message);
        Assert.Equal(2, Program.Run(["ros2", "segment", "--params", parameters]));
    }

    [Fact]
    public void Missing_parameter_file_is_named_with_its_option() =>
        Assert.StartsWith("--params:", Assert.Throws<IOException>(() => SegmentationNodeOptions.FromYaml(Path.Combine(folder, "nope.yaml"))).Message,
            StringComparison.Ordinal);

    private static uint Colour(uint label)
    {
        (byte r, byte g, byte b) = Datasets.SemanticKitti.KittiClassColors.Of((int)label);
        return PointCloud2Builder.PackRgb(r, g, b);
    }

    /// <summary>A ground plane 1.7 m below the sensor and two boxes, seeded by <paramref name="frame"/>.</summary>
    internal static PointCloud2 Scan(int frame, int points)
    {
        var random = new Random(frame);
        var xyz = new float[points * 3];
        var intensity = new float[points];
        for (int p = 0; p < points; p++)
        {
            bool box = p % 4 == 0;
            xyz[p * 3] = box ? 8 + (random.NextSingle() * 4) : (random.NextSingle() * 60) - 30;
            xyz[(p * 3) + 1] = box ? (p % 8 == 0 ? -3 : 3) + random.NextSingle() : (random.NextSingle() * 60) - 30;
            xyz[(p * 3) + 2] = box ? -1.7f + (random.NextSingle() * 1.5f) : -1.7f + (random.NextSingle() * 0.05f);
            intensity[p] = random.NextSingle();
        }

        return PointCloud2Builder.Build(new Header(new Time(1_700_000_000 + frame, 1000), "velodyne"), xyz, intensity);
    }

    private static T Next<T>(RosSubscription<T> subscription)
        where T : IRosMessage<T>
    {
        long deadline = Environment.TickCount64 + (long)Timeout.TotalMilliseconds;
        while (Environment.TickCount64 < deadline)
        {
            subscription.WaitForData(TimeSpan.FromMilliseconds(200));
            if (subscription.Take() is [RosReceived<T> first, ..])
            {
                return first.Message ?? throw first.Error!;
            }
        }

        throw new TimeoutException($"nothing on {subscription.Reader.TopicName} in {Timeout}");
    }

    private static string Value(DiagnosticArray array, string key) =>
        array.Status.Single().Values.Single(v => v.Key == key).Value;
}
