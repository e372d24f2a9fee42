using Perception.Ros2.Dds;
using Perception.Ros2.Messages;
using Perception.Ros2.Node;
using Perception.Ros2.Rosbag;

namespace Perception.Foxglove.Sources;

/// <summary>A ROS 2 topic to bridge and its message type.</summary>
public sealed record BridgedTopic(string Topic, RosMessageType Type)
{
    /// <summary>The type bridged when a topic does not name one.</summary>
    public const string DefaultType = "sensor_msgs/msg/PointCloud2";

    /// <summary><c>/topic</c> (a PointCloud2) or <c>/topic:pkg/msg/Type</c>.</summary>
    /// <exception cref="ArgumentException">Not a valid ROS topic name, or a type the SDK has no definition of.
    /// </exception>
    public static BridgedTopic Parse(string text)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string topic = RosNames.Resolve(colon < 0 ? text : text[..colon]);
        string type = colon < 0 ? DefaultType : text[(colon + 1)..];
        try
        {
            return new BridgedTopic(topic, RosMessageType.Get(type));
        }
        catch (KeyNotFoundException e)
        {
            throw new ArgumentException($"topic '{topic}': {e.Message}", nameof(text), e);
        }
    }
}

/// <summary>
/// Bridges live ROS 2 topics: one raw DDS reader per topic on the given node, whose samples (the CDR bytes exactly as
/// the publisher serialized them, never decoded here) are published on the topic's channel, stamped with the time of
/// receipt. Each topic has a thread that waits on its reader, so a busy topic never delays another.
/// </summary>
public sealed class DdsTopicBridge : IDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private readonly List<(DdsReader Reader, Thread Thread, uint Channel)> readers = [];
    private readonly FoxgloveServer server;
    private long forwarded;

    /// <summary>Starts bridging on <paramref name="node"/>'s participant (the caller keeps owning node and server);
    /// the QoS is best effort (sensor data) by default, which matches reliable and best-effort publishers alike.
    /// </summary>
    public DdsTopicBridge(RosNode node, FoxgloveServer server, IEnumerable<BridgedTopic> topics, QosProfile? qos = null)
    {
        this.server = server;
        try
        {
            foreach (BridgedTopic topic in topics)
            {
                DdsReader reader = node.CreateRawReader(topic.Topic, topic.Type, qos ?? QosProfile.SensorData);
                uint channel = server.Advertise(FoxgloveChannel.Ros2(topic.Topic, topic.Type)).Id;
                var thread = new Thread(() => Forward(reader, channel))
                {
                    IsBackground = true, Name = $"foxglove {topic.Topic}",
                };
                readers.Add((reader, thread, channel));
                thread.Start();
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Samples handed to the server so far.</summary>
    public long Forwarded => Interlocked.Read(ref forwarded);

    /// <summary>Stops forwarding; samples that reached the readers before the call are still handed to the server,
    /// so the last message of a node that publishes and exits is not lost.</summary>
    public void Dispose()
    {
        stopping.Cancel();
        var samples = new List<DdsSample>();
        foreach ((DdsReader reader, Thread thread, uint channel) in readers)
        {
            thread.Join();
            ForwardTaken(reader, channel, samples);
            reader.Dispose();
        }

        readers.Clear();
    }

    private void Forward(DdsReader reader, uint channel)
    {
        var samples = new List<DdsSample>();
        while (!stopping.IsCancellationRequested)
        {
            reader.WaitForData(TimeSpan.FromMilliseconds(500), stopping.Token);
            ForwardTaken(reader, channel, samples);
        }
    }

    private void ForwardTaken(DdsReader reader, uint channel, List<DdsSample> samples)
    {
        samples.Clear();
        reader.Take(samples);
        ulong now = (ulong)(DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
        foreach (DdsSample sample in samples)
        {
            server.Publish(channel, now, sample.Payload);
            Interlocked.Increment(ref forwarded);
        }
    }
}
