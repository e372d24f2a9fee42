using System.Diagnostics;
using System.Text;
using Perception.Ros2.Dds;
using Perception.Ros2.Mcap;
using Perception.Ros2.Messages;
using Perception.Ros2.Node;
using Perception.Ros2.Rosbag;

namespace Perception.Ros2.Tests;

/// <summary><see cref="RosbagPlayer"/> on loopback: a subscriber receives every recorded message in order and intact,
/// spread over the recorded span divided by the rate (checked loosely: never faster than the schedule).</summary>
public sealed class RosbagPlayTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string folder = Directory.CreateTempSubdirectory("perception-play-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [DdsPeerTheory]
    [InlineData(2.0)]
    [InlineData(0.0)]
    public void A_subscriber_receives_the_recording_in_order_at_the_scaled_timing(double rate)
    {
        const long start = 1_700_000_000_000_000_000, step = 100_000_000; // 10 Hz over 0.9 s
        string path = Path.Combine(folder, "play.mcap");
        TwistStamped[] twists = [.. Enumerable.Range(0, 10).Select(i => TestMessages.Twist() with
        {
            Header = new Header(new Time(i, 1), "base_link"),
        })];
        PointCloud2[] clouds = [.. Enumerable.Range(0, 5).Select(i => TestMessages.Cloud() with
        {
            Header = new Header(new Time(i, 2), "lidar"),
        })];
        using (var writer = new RosbagMcapWriter(path))
        {
            writer.AddTopic<TwistStamped>("/play/twist", QosProfile.Default);
            writer.AddTopic<PointCloud2>("/play/cloud", new QosProfile(20, Reliable: true, TransientLocal: false));
            writer.AddTopic<DiagnosticArray>("/play/filtered_out", QosProfile.Default);
            for (int i = 0; i < 10; i++)
            {
                writer.Write("/play/twist", twists[i], start + (i * step));
                writer.Write("/play/filtered_out", TestMessages.Diagnostics(), start + (i * step));
                if (i % 2 == 1)
                {
                    writer.Write("/play/cloud", clouds[i / 2], start + (i * step) + 1);
                }
            }

            writer.Finish();
        }

        uint domain = DdsPeer.NextDomain();
        using RosNode subscriberNode = DdsInteropTests.Node(domain);
        using RosSubscription<TwistStamped> twistSubscription =
            subscriberNode.CreateSubscription<TwistStamped>("/play/twist", new QosProfile(100, true, false));
        using RosSubscription<PointCloud2> cloudSubscription =
            subscriberNode.CreateSubscription<PointCloud2>("/play/cloud", new QosProfile(100, true, false));
        using RosNode playerNode = DdsInteropTests.Node(domain);
        var player = new RosbagPlayer(playerNode, new RosbagPlayOptions
        {
            Rate = rate, Topics = ["/play/twist", "/play/cloud"], WaitForSubscribers = Timeout,
        });

        long published = player.Play(path, CancellationToken.None);

        Assert.Equal(15, published);
        List<(TwistStamped Message, long At)> receivedTwists = Receive(twistSubscription, 10);
        List<(PointCloud2 Message, long At)> receivedClouds = Receive(cloudSubscription, 5);
        Assert.Equal(twists.Select(RosSerialization.Serialize), receivedTwists.Select(r => RosSerialization.Serialize(r.Message)));
        Assert.Equal(clouds.Select(PeerDump.Of), receivedClouds.Select(r => PeerDump.Of(r.Message)));
        if (rate > 0)
        {
            // The player sleeps until each message's scaled time: 0.9 s of recording at rate 2 cannot take less than
            // 0.45 s between the first and the last message (the source timestamps are the player's send times).
            double spanSeconds = (receivedTwists[^1].At - receivedTwists[0].At) / 1e9;
            Assert.InRange(spanSeconds, 0.9 / rate * 0.9, 0.9 / rate * 10);
        }
    }

    [DdsPeerFact]
    public void Recorded_topic_names_that_ROS_cannot_publish_are_skipped_with_the_reason()
    {
        string path = Path.Combine(folder, "names.mcap");
        using (var writer = new RosbagMcapWriter(path))
        {
            foreach (string topic in new[] { "/bad topic", "//double", "/0digit", "/good" })
            {
                writer.AddTopic<TwistStamped>(topic, QosProfile.Default);
                writer.Write(topic, TestMessages.Twist(), 1_000);
            }

            writer.Finish();
        }

        using RosNode node = DdsInteropTests.Node(DdsPeer.NextDomain());
        var player = new RosbagPlayer(node, new RosbagPlayOptions { Rate = 0 });

        Assert.Equal(1, player.Play(path, CancellationToken.None));
        Assert.Equal(3, player.Skipped.Count);
        Assert.Contains(player.Skipped, s => s.StartsWith("/bad topic", StringComparison.Ordinal)
            && s.Contains("not a valid ROS topic name", StringComparison.Ordinal));
    }

    [DdsPeerFact]
    public void A_second_type_recorded_on_one_topic_is_skipped_not_written_through_the_first_types_layout()
    {
        // MCAP allows two channels on one topic; DDS gives a topic one type. Before the check, the second channel's
        // samples went to Cyclone through the first type's descriptor: here dds_write refuses the Twist read as a
        // PointCloud2, other values are read as wild pointers (a segmentation fault, found by fuzzing).
        string path = Path.Combine(folder, "two-types.mcap");
        using (var stream = File.Create(path))
        {
            var writer = new McapWriter(stream);
            foreach ((RosMessageType type, byte[] cdr) in new[]
            {
                (PointCloud2.MessageType, TestMessages.Cloud().Serialize()),
                (TwistStamped.MessageType, RosSerialization.Serialize(TestMessages.Twist())),
            })
            {
                ushort schema = writer.AddSchema(type.RosName, "ros2msg", Encoding.UTF8.GetBytes(type.Ros2MsgSchema));
                ushort channel = writer.AddChannel(schema, "/same", "cdr", new Dictionary<string, string>());
                writer.WriteMessage(channel, 1, 1, cdr);
            }

            writer.Finish();
        }

        using RosNode node = DdsInteropTests.Node(DdsPeer.NextDomain());
        var player = new RosbagPlayer(node, new RosbagPlayOptions { Rate = 0 });

        Assert.Equal(1, player.Play(path, CancellationToken.None));
        Assert.Contains("played as sensor_msgs::msg::dds_::PointCloud2_ already", Assert.Single(player.Skipped),
            StringComparison.Ordinal);
        // The participant refuses the same mix from any caller, naming the topic and its type.
        var e = Assert.Throws<DdsException>(() =>
            node.CreateRawWriter("/same", TwistStamped.MessageType, QosProfile.Default));
        Assert.Contains("rt/same", e.Message, StringComparison.Ordinal);
        Assert.Contains("PointCloud2_ already", e.Message, StringComparison.Ordinal);
    }

    [DdsPeerTheory]
    [InlineData(30L * 86_400 * 1_000_000_000, true, 1)] // a gap longer than WaitOne's 24.8 days: stopped while waiting
    [InlineData(-1_000_000, false, 2)] // a log time before the first: due at once, not 584 years later
    public void Log_times_far_ahead_or_behind_the_first_do_not_break_the_schedule(long gapNs, bool stopAfterFirst,
        int expected)
    {
        const long start = 1_700_000_000_000_000_000;
        string path = Path.Combine(folder, "gap.mcap");
        using (var writer = new RosbagMcapWriter(path))
        {
            writer.AddTopic<TwistStamped>("/gap", QosProfile.Default);
            writer.Write("/gap", TestMessages.Twist(), start);
            writer.Write("/gap", TestMessages.Twist(), start + gapNs);
            writer.Finish();
        }

        using RosNode node = DdsInteropTests.Node(DdsPeer.NextDomain());
        using var stop = new CancellationTokenSource();
        var player = new RosbagPlayer(node, new RosbagPlayOptions { Rate = 1 });

        long published = player.Play(path, stop.Token, (_, _) =>
        {
            if (stopAfterFirst)
            {
                stop.Cancel(); // before the player starts waiting for the second message
            }
        });

        Assert.Equal(expected, published);
    }

    private static List<(T, long)> Receive<T>(RosSubscription<T> subscription, int count)
        where T : IRosMessage<T>
    {
        var received = new List<(T, long)>();
        long deadline = Stopwatch.GetTimestamp() + (long)(Timeout.TotalSeconds * Stopwatch.Frequency);
        while (received.Count < count && Stopwatch.GetTimestamp() < deadline)
        {
            subscription.WaitForData(TimeSpan.FromMilliseconds(100));
            foreach (RosReceived<T> sample in subscription.Take())
            {
                received.Add((sample.Message ?? throw sample.Error!, sample.SourceTimestampNanoseconds));
            }
        }

        return received;
    }
}
