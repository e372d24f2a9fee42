using System.Text;
using Perception.Ros2.Mcap;
using Perception.Ros2.Messages;

namespace Perception.Ros2.Rosbag;

/// <summary>
/// Writes ROS 2 messages to an MCAP file the way rosbag2_storage_mcap does: profile <c>ros2</c>, one
/// <c>ros2msg</c> Schema per type (named <c>pkg/msg/Type</c>), one <c>cdr</c> Channel per topic with
/// <c>offered_qos_profiles</c> and <c>topic_type_hash</c> metadata, and a closing <c>rosbag2</c> Metadata record
/// holding the serialized bag metadata. The file appears atomically on <see cref="Finish"/>.
/// </summary>
public sealed class RosbagMcapWriter : IDisposable
{
    private readonly McapWriter writer;
    private readonly string fileName;
    private readonly string rosDistro;
    private readonly Dictionary<string, ushort> schemaIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Topic> topics = new(StringComparer.Ordinal);
    private long startTime = long.MaxValue, endTime, messageCount;

    public RosbagMcapWriter(string path, McapWriterOptions? options = null, string rosDistro = "jazzy")
    {
        writer = McapWriter.Create(path, options);
        fileName = Path.GetFileName(path);
        this.rosDistro = rosDistro;
    }

    /// <summary>Declares a topic of message type <typeparamref name="T"/>.</summary>
    public void AddTopic<T>(string topic, QosProfile qos)
        where T : IRosMessage<T> => AddTopic(topic, T.MessageType, qos);

    public void AddTopic(string topic, RosMessageType type, QosProfile qos)
    {
        if (topics.ContainsKey(topic))
        {
            throw new ArgumentException($"Topic '{topic}' is already declared.", nameof(topic));
        }

        if (!schemaIds.TryGetValue(type.RosName, out ushort schemaId))
        {
            schemaId = writer.AddSchema(type.RosName, "ros2msg", Encoding.UTF8.GetBytes(type.Ros2MsgSchema));
            schemaIds[type.RosName] = schemaId;
        }

        var metadata = new Dictionary<string, string>
        {
            ["offered_qos_profiles"] = qos.ToOfferedQosYaml(),
            ["topic_type_hash"] = "",
        };
        topics[topic] = new Topic(writer.AddChannel(schemaId, topic, "cdr", metadata), type, qos);
    }

    /// <summary>Serializes and records <paramref name="message"/> at <paramref name="logTimeNs"/> (also the publish
    /// time).</summary>
    public void Write<T>(string topic, T message, long logTimeNs)
        where T : IRosMessage<T> => WriteSerialized(topic, RosSerialization.Serialize(message), logTimeNs);

    /// <summary>Records an already serialized CDR payload (encapsulation header included). rosbag2 logs the
    /// receive time and keeps the sender's timestamp as the publish time; without one both are the log time.</summary>
    public void WriteSerialized(string topic, ReadOnlySpan<byte> cdr, long logTimeNs, long? publishTimeNs = null)
    {
        Topic target = topics.GetValueOrDefault(topic)
            ?? throw new ArgumentException($"Topic '{topic}' was not declared with AddTopic.", nameof(topic));
        ArgumentOutOfRangeException.ThrowIfNegative(logTimeNs);
        ulong publishTime = publishTimeNs is > 0 ? (ulong)publishTimeNs.Value : (ulong)logTimeNs;
        writer.WriteMessage(target.ChannelId, (ulong)logTimeNs, publishTime, cdr);
        target.Count++;
        messageCount++;
        startTime = Math.Min(startTime, logTimeNs);
        endTime = Math.Max(endTime, logTimeNs);
    }

    /// <summary>Messages recorded so far.</summary>
    public long MessageCount => messageCount;

    /// <summary>Writes the rosbag2 metadata and completes the file. With <paramref name="sidecarPath"/> also writes
    /// the <c>metadata.yaml</c> that rosbag2 keeps next to the files of a bag folder (the same BagMetadata under a
    /// <c>rosbag2_bagfile_information</c> key), after the recording itself is complete.</summary>
    public void Finish(string? sidecarPath = null)
    {
        string metadata = BagMetadataYaml();
        writer.AddMetadata("rosbag2", new Dictionary<string, string> { ["serialized_metadata"] = metadata });
        writer.Finish();
        if (sidecarPath is not null)
        {
            string indented = "  " + metadata.TrimEnd('\n').Replace("\n", "\n  ", StringComparison.Ordinal) + "\n";
            string temporary = sidecarPath + ".tmp";
            File.WriteAllText(temporary, "rosbag2_bagfile_information:\n" + indented);
            File.Move(temporary, sidecarPath, overwrite: true);
        }
    }

    public void Dispose() => writer.Dispose();

    /// <summary>The BagMetadata YAML (version 9) rosbag2 keeps in the file for `ros2 bag info` and reindexing.</summary>
    private string BagMetadataYaml()
    {
        long start = messageCount == 0 ? 0 : startTime, duration = messageCount == 0 ? 0 : endTime - startTime;
        var yaml = new StringBuilder();
        yaml.Append("version: 9\nstorage_identifier: mcap\n")
            .Append("duration:\n  nanoseconds: ").Append(duration).Append('\n')
            .Append("starting_time:\n  nanoseconds_since_epoch: ").Append(start).Append('\n')
            .Append("message_count: ").Append(messageCount).Append('\n')
            .Append("topics_with_message_count:").Append(topics.Count == 0 ? " []\n" : "\n");
        foreach ((string name, Topic topic) in topics)
        {
            yaml.Append("  - topic_metadata:\n")
                .Append("      name: ").Append(name).Append('\n')
                .Append("      type: ").Append(topic.Type.RosName).Append('\n')
                .Append("      serialization_format: cdr\n")
                .Append("      offered_qos_profiles:\n").Append(topic.Qos.ToOfferedQosYaml("        ")).Append('\n')
                .Append("      type_description_hash: \"\"\n")
                .Append("    message_count: ").Append(topic.Count).Append('\n');
        }

        yaml.Append("compression_format: \"\"\ncompression_mode: \"\"\n")
            .Append("relative_file_paths:\n  - ").Append(fileName).Append('\n')
            .Append("files:\n  - path: ").Append(fileName).Append('\n')
            .Append("    starting_time:\n      nanoseconds_since_epoch: ").Append(start).Append('\n')
            .Append("    duration:\n      nanoseconds: ").Append(duration).Append('\n')
            .Append("    message_count: ").Append(messageCount).Append('\n')
            .Append("custom_data: ~\nros_distro: ").Append(rosDistro).Append('\n');
        return yaml.ToString();
    }

    private sealed record Topic(ushort ChannelId, RosMessageType Type, QosProfile Qos)
    {
        public long Count { get; set; }
    }
}
