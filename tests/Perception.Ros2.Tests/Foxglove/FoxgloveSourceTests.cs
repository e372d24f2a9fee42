using System.Diagnostics;
using Perception.Foxglove.Sources;
using Perception.Ros2.Mcap;
using Perception.Ros2.Messages;
using Perception.Ros2.Node;
using Perception.Ros2.Rosbag;
using Perception.Ros2.Tests;

namespace Perception.Foxglove.Tests;

/// <summary>The two sources: live DDS topics bridged byte for byte, and a recording played at its pace.</summary>
public sealed class FoxgloveSourceTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("perception-foxglove-source-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [DdsPeerFact]
    public async Task Live_topics_reach_a_client_with_the_publishers_bytes()
    {
        uint domain = DdsPeer.NextDomain();
        using RosNode publisherNode = DdsInteropTests.Node(domain);
        using RosNode bridgeNode = DdsInteropTests.Node(domain);
        using RosPublisher<PointCloud2> clouds = publisherNode.CreatePublisher<PointCloud2>("/fox/points", QosProfile.SensorData);
        using RosPublisher<DiagnosticArray> diagnostics = publisherNode.CreatePublisher<DiagnosticArray>("/fox/diagnostics", QosProfile.Default);
        await using FoxgloveServer server = await FoxgloveServerTests.StartAsync();
        using var bridge = new DdsTopicBridge(bridgeNode, server,
            [BridgedTopic.Parse("/fox/points"), BridgedTopic.Parse("/fox/diagnostics:diagnostic_msgs/msg/DiagnosticArray")]);
        await using FoxgloveTestClient client = await FoxgloveTestClient.ConnectAsync(server.Port);
        (_, var channels) = await client.HandshakeAsync();
        Assert.Equal(["/fox/points", "/fox/diagnostics"], channels.Select(c => c.GetProperty("topic").GetString()));
        await client.SubscribeAsync(10, channels[0].GetProperty("id").GetUInt32());
        await client.SubscribeAsync(11, channels[1].GetProperty("id").GetUInt32());
        Assert.True(clouds.Writer.WaitForReaders(1, FoxgloveTestClient.Timeout), "the bridge's reader never matched");
        Assert.True(diagnostics.Writer.WaitForReaders(1, FoxgloveTestClient.Timeout), "the bridge's reader never matched");
        await FoxgloveServerTests.WaitUntil(() => server.SubscriberCount(channels[1].GetProperty("id").GetUInt32()) == 1);

        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var received = new Dictionary<uint, FoxgloveMessageFrame>();
        using var publishing = new CancellationTokenSource();
        Task publisher = Task.Run(async () =>
        {
            while (!publishing.IsCancellationRequested) // best effort may lose the first samples while matching
            {
                clouds.Publish(TestMessages.Cloud());
                diagnostics.Publish(TestMessages.Diagnostics());
                await Task.Delay(50);
            }
        });
        while (received.Count < 2)
        {
            FoxgloveMessageFrame frame = await client.NextMessageAsync();
            received.TryAdd(frame.SubscriptionId, frame);
        }

        await publishing.CancelAsync();
        await publisher;
        AssertSameCdr(RosSerialization.Serialize(TestMessages.Cloud()), received[10].Payload);
        AssertSameCdr(RosSerialization.Serialize(TestMessages.Diagnostics()), received[11].Payload);
        Assert.InRange((long)received[10].TimestampNs, before, before + 60_000_000_000); // the time of receipt
        Assert.True(bridge.Forwarded >= 2);
    }

    /// <summary>The bytes as published, except what Cyclone adds on the wire: the padding to a multiple of 4 and its
    /// count in the encapsulation options (XTypes 7.6.3.1.2), which CDR readers, Foxglove's included, ignore.</summary>
    private static void AssertSameCdr(byte[] published, byte[] received)
    {
        int padding = (4 - (published.Length % 4)) % 4;
        Assert.Equal(published.Length + padding, received.Length);
        Assert.Equal(published[..2], received[..2]);
        Assert.Equal(padding, received[3] & 3);
        Assert.Equal(published[4..], received[4..published.Length]);
    }

    [Theory]
    [InlineData("/points", "sensor_msgs/msg/PointCloud2")]
    [InlineData("points", "sensor_msgs/msg/PointCloud2")]
    [InlineData("/perception/objects:vision_msgs/msg/Detection3DArray", "vision_msgs/msg/Detection3DArray")]
    [InlineData("/markers:visualization_msgs/MarkerArray", "visualization_msgs/msg/MarkerArray")]
    public void Topics_name_their_type_or_are_point_clouds(string text, string type) =>
        Assert.Equal(type, BridgedTopic.Parse(text).Type.RosName);

    [Theory]
    [InlineData("/points:sensor_msgs/msg/Image", "No ROS message definition")]
    [InlineData("/9points", "not a valid ROS topic name")]
    [InlineData("", "not a valid ROS topic name")]
    public void Bad_topics_are_refused_with_the_reason(string text, string reason) =>
        Assert.Contains(reason, Assert.ThrowsAny<ArgumentException>(() => BridgedTopic.Parse(text)).Message,
            StringComparison.Ordinal);

    [Fact]
    public async Task A_recording_plays_at_its_pace_times_the_rate_with_time_frames()
    {
        const int messages = 5;
        const long gapNs = 100_000_000, start = 1_000_000_000_000;
        string path = Path.Combine(folder, "paced.mcap");
        using (var writer = new RosbagMcapWriter(path, new McapWriterOptions()))
        {
            writer.AddTopic("/twist", TwistStamped.MessageType, QosProfile.Default);
            for (int i = 0; i < messages; i++)
            {
                writer.WriteSerialized("/twist", RosSerialization.Serialize(TestMessages.Twist()), start + (i * gapNs));
            }

            writer.Finish();
        }

        await using FoxgloveServer server = await FoxgloveServerTests.StartAsync(new FoxgloveServerOptions { SendsTime = true });
        var playback = new McapPlayback(path, server, rate: 2, waitForSubscriber: true);
        await using FoxgloveTestClient client = await FoxgloveTestClient.ConnectAsync(server.Port);
        await client.HandshakeAsync(expectChannels: false);
        Task playing = playback.RunAsync(CancellationToken.None);
        uint channel = (await client.NextJsonAsync("advertise")).GetProperty("channels")[0].GetProperty("id").GetUInt32();
        await client.SubscribeAsync(4, channel);

        var clock = Stopwatch.StartNew();
        for (int i = 0; i < messages; i++)
        {
            object? time = await client.ReceiveAsync(); // the recording's clock comes before each message
            Assert.Equal(2, ((byte[])time!)[0]);
            Assert.Equal((ulong)(start + (i * gapNs)), BitConverter.ToUInt64((byte[])time, 1));
            FoxgloveMessageFrame frame = await client.NextMessageAsync();
            Assert.Equal((4u, (ulong)(start + (i * gapNs))), (frame.SubscriptionId, frame.TimestampNs));
        }

        await playing.WaitAsync(FoxgloveTestClient.Timeout);
        Assert.True(clock.ElapsedMilliseconds >= (messages - 1) * gapNs / 1_000_000 / 2 - 20,
            $"{messages} messages {gapNs / 1_000_000} ms apart at rate 2 took only {clock.ElapsedMilliseconds} ms");
        Assert.Equal(messages, playback.MessagesPlayed);
    }
}
