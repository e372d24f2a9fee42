using Perception.Ros2.Messages;

namespace Perception.Foxglove;

/// <summary>
/// One advertised channel: a topic with the encoding of its payloads and the schema a client decodes them with.
/// ROS 2 topics go out as <c>cdr</c> payloads (the DDS / rosbag2 bytes, encapsulation header included) with the
/// <c>ros2msg</c> schema rosbag2 stores, so Foxglove decodes them exactly as it decodes a recording.
/// </summary>
public sealed record FoxgloveChannel(uint Id, string Topic, string Encoding, string SchemaName, string Schema,
    string SchemaEncoding)
{
    /// <summary>A ROS 2 topic of <paramref name="type"/>: <c>cdr</c> + <c>ros2msg</c>.</summary>
    public static FoxgloveChannel Ros2(string topic, RosMessageType type) =>
        new(0, topic, "cdr", type.RosName, type.Ros2MsgSchema, "ros2msg");
}
