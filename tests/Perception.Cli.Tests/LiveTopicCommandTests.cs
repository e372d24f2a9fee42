using Perception.Ros2.Dds;
using Perception.Ros2.Messages;
using Perception.Ros2.Node;
using Perception.Ros2.PointClouds;
using Perception.Ros2.Rosbag;

namespace Perception.Cli.Tests;

/// <summary>
/// `perception render ros2:/topic`: the live cloud a publisher sends (DDS on loopback, a domain of this test's own)
/// gives the same picture as the same message read from a recording; no publisher gives a clear error in time.
/// </summary>
[Collection("cli")]
public sealed class LiveTopicCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("perception-live-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>A small labelled cloud (official classes, as `perception ros2 segment` publishes them).</summary>
    internal static PointCloud2 Cloud() => PointCloud2Builder.Build(new Header(new Time(1_700_000_000, 0), "velodyne"),
        [.. Enumerable.Range(0, 300).SelectMany(i => new[] { (i % 20) - 10f, (i / 20) - 7f, -1.7f })],
        labels: [.. Enumerable.Range(0, 300).Select(i => (uint)(1 + (i % 19)))]);

    /// <summary>Publishes <see cref="Cloud"/> on <paramref name="topic"/> every 100 ms until disposed.</summary>
    internal static IDisposable Publish(uint domain, string topic)
    {
        var node = new RosNode("live_test_publisher", new RosNodeOptions { DomainId = domain, DdsConfigXml = DdsConfig.LoopbackOnly() });
        RosPublisher<PointCloud2> publisher = node.CreatePublisher<PointCloud2>(topic, QosProfile.SensorData);
        var stop = new CancellationTokenSource();
        Task loop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                publisher.Publish(Cloud());
                await Task.Delay(100).ConfigureAwait(false);
            }
        });
        return new Stopper(() =>
        {
            stop.Cancel();
            loop.Wait();
            node.Dispose();
            stop.Dispose();
        });
    }

    [Fact]
    public void A_live_cloud_renders_as_the_same_message_recorded()
    {
        uint domain = (uint)(100 + (Environment.ProcessId % 50));
        string recording = Path.Combine(folder, "cloud.mcap");
        using (var writer = new RosbagMcapWriter(recording))
        {
            writer.AddTopic<PointCloud2>("/live/points", QosProfile.SensorData);
            writer.Write("/live/points", Cloud(), 0);
            writer.Finish();
        }

        string recorded = Path.Combine(folder, "recorded.png"), live = Path.Combine(folder, "live.png");
        (int code, string output) = CliOutput.Run(["render", recording, "--out", recorded, "--size", "160x120"]);
        Assert.True(code == 0, output);
        using (Publish(domain, "/live/points"))
        {
            (code, output) = CliOutput.Run(["render", "ros2:/live/points", "--loopback", "--domain-id", $"{domain}",
                "--out", live, "--size", "160x120"]);
        }

        Assert.True(code == 0, output);
        Assert.Equal(File.ReadAllBytes(recorded), File.ReadAllBytes(live));
    }

    [Fact]
    public void A_topic_nobody_publishes_is_a_clear_error_after_the_wait()
    {
        string png = Path.Combine(folder, "none.png");
        (int code, string output) = CliOutput.Run(["render", "ros2:/nobody/points", "--loopback",
            "--domain-id", $"{150 + (Environment.ProcessId % 50)}", "--wait", "0.5", "--out", png]);

        Assert.Equal(2, code);
        Assert.Contains("no sensor_msgs/PointCloud2 arrived within 0.5 s", output, StringComparison.Ordinal);
        Assert.False(File.Exists(png));
    }

    private sealed class Stopper(Action stop) : IDisposable
    {
        public void Dispose() => stop();
    }
}
