using System.Diagnostics;
using System.Text.Json;
using Perception.Ros2.Mcap;
using Perception.Ros2.Messages;
using Perception.Ros2.Node;
using Perception.Ros2.Rosbag;

namespace Perception.Ros2.Tests;

/// <summary>
/// <see cref="RosbagRecorder"/> on loopback: what a C# publisher and the idlc C peer publish ends up in the MCAP file
/// message by message, with the types and offered QoS learned from discovery alone, and @mcap/core reads the file.
/// </summary>
public sealed class RosbagRecordTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string folder = Directory.CreateTempSubdirectory("perception-record-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [DdsPeerFact]
    public void What_a_publisher_sends_is_recorded_message_by_message_with_its_qos()
    {
        uint domain = DdsPeer.NextDomain();
        string path = Path.Combine(folder, "bag.mcap");
        PointCloud2[] clouds = [.. Enumerable.Range(0, 4).Select(i => TestMessages.Cloud() with
        {
            Header = new Header(new Time(100 + i, 5), "lidar"),
        })];
        DiagnosticArray[] statuses = [.. Enumerable.Range(0, 6).Select(i => TestMessages.Diagnostics() with
        {
            Header = new Header(new Time(200 + i, 0), $"frame{i}"),
        })];
        var cloudQos = new QosProfile(7, Reliable: true, TransientLocal: false);
        using (RosNode publisherNode = DdsInteropTests.Node(domain))
        using (RosPublisher<PointCloud2> a = publisherNode.CreatePublisher<PointCloud2>("/rec/a", cloudQos))
        using (RosPublisher<DiagnosticArray> b = publisherNode.CreatePublisher<DiagnosticArray>("/rec/b", QosProfile.Default))
        using (RosPublisher<TwistStamped> ignored = publisherNode.CreatePublisher<TwistStamped>("/rec/ignored", QosProfile.Default))
        {
            Record(domain, path, new RosbagRecordOptions { Topics = ["/rec/a", "rec/b"] }, () =>
            {
                Assert.True(a.Writer.WaitForReaders(1, Timeout) && b.Writer.WaitForReaders(1, Timeout),
                    "the recorder never subscribed");
                for (int i = 0; i < 6; i++)
                {
                    if (i < clouds.Length)
                    {
                        a.Publish(clouds[i]);
                    }

                    b.Publish(statuses[i]);
                    ignored.Publish(TestMessages.Twist());
                }

                Assert.True(a.Writer.WaitForAcknowledgements(Timeout) && b.Writer.WaitForAcknowledgements(Timeout));
            });
        }

        using McapReader reader = McapReader.Open(path);
        Assert.Equal(["/rec/a", "/rec/b"], reader.Channels.Values.Select(c => c.Topic).Order());
        AssertSameMessages(clouds, reader.ReadMessages("/rec/a"));
        AssertSameMessages(statuses, reader.ReadMessages("/rec/b"));
        McapChannel recorded = reader.Channels.Values.Single(c => c.Topic == "/rec/a");
        Assert.Equal(cloudQos, QosProfile.FromOfferedQosYaml(recorded.Metadata["offered_qos_profiles"]));
        Assert.Equal("sensor_msgs/msg/PointCloud2", reader.Schemas[recorded.SchemaId].Name);
        Assert.All(reader.ReadMessages(), m => Assert.True(m.Message.PublishTime > 0 && m.Message.LogTime > 0));

        if (NodePeer.Unavailable is null)
        {
            JsonElement peer = NodePeer.Run("read-mcap.cjs", path);
            JsonElement[] decoded = [.. peer.GetProperty("messages").EnumerateArray()];
            Assert.Equal(clouds.Length + statuses.Length, decoded.Length);
            int cloud = 0, status = 0;
            foreach (JsonElement message in decoded)
            {
                bool isCloud = message.GetProperty("topic").GetString() == "/rec/a";
                PeerJson.AssertMatches(message.GetProperty("decoded"), isCloud ? clouds[cloud++] : statuses[status++]);
            }
        }
    }

    [DdsPeerFact]
    public void What_the_C_peer_publishes_is_recorded_with_all_topics()
    {
        uint domain = DdsPeer.NextDomain();
        string path = Path.Combine(folder, "peer.mcap");
        Process? peer = null;
        Record(domain, path, new RosbagRecordOptions { AllTopics = true }, () =>
        {
            peer = DdsPeer.Start(domain, "pub", "pointcloud2", "rt/rec/peer", "3");
            DdsPeer.Finish(peer, Timeout); // the peer waits for our reader and for its acknowledgements
        });
        peer!.Dispose();

        using McapReader reader = McapReader.Open(path);
        McapMessageView[] messages = [.. reader.ReadMessages()];
        Assert.Equal(3, messages.Length);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("/rec/peer", messages[i].Channel.Topic);
            var cloud = RosSerialization.Deserialize<PointCloud2>(messages[i].Message.Data);
            Assert.Equal(PeerDump.Of(DdsInteropTests.ExpectedPeerCloud(i)), PeerDump.Of(cloud));
        }

        Assert.Contains("reliability: reliable", messages[0].Channel.Metadata["offered_qos_profiles"], StringComparison.Ordinal);
    }

    internal static void AssertSameMessages<T>(T[] expected, IEnumerable<McapMessageView> recorded)
        where T : IRosMessage<T>
    {
        McapMessageView[] views = [.. recorded];
        Assert.Equal(expected.Length, views.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            T message = RosSerialization.Deserialize<T>(views[i].Message.Data);
            Assert.Equal(RosSerialization.Serialize(expected[i]), RosSerialization.Serialize(message));
        }
    }

    /// <summary>Records on <paramref name="domain"/> while <paramref name="publish"/> runs, then finishes the file.</summary>
    private static void Record(uint domain, string path, RosbagRecordOptions options, Action publish)
    {
        using RosNode node = DdsInteropTests.Node(domain);
        using var writer = new RosbagMcapWriter(path);
        using var stop = new CancellationTokenSource();
        var recorder = new RosbagRecorder(node, writer, options);
        Task recording = Task.Run(() => recorder.Run(stop.Token));
        try
        {
            publish();
        }
        finally
        {
            stop.Cancel();
            recording.Wait(Timeout);
        }

        writer.Finish();
    }
}
