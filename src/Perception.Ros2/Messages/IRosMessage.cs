using Perception.Ros2.Cdr;

namespace Perception.Ros2.Messages;

/// <summary>
/// A ROS 2 message (or nested type) that serializes itself field by field, in .msg order, through the CDR codec.
/// </summary>
public interface IRosMessage<TSelf>
    where TSelf : IRosMessage<TSelf>
{
    /// <summary>Names and schema of the type.</summary>
    static abstract RosMessageType MessageType { get; }

    /// <summary>The fewest bytes one value takes on the wire; bounds sequence counts before allocating.</summary>
    static abstract int MinWireSize { get; }

    /// <summary>Reads the fields in wire order.</summary>
    static abstract TSelf Read(CdrReader reader);

    /// <summary>Writes the fields in wire order.</summary>
    void Write(CdrWriter writer);
}

/// <summary>Whole messages to and from CDR payloads (encapsulation header included), and struct sequences.</summary>
public static class RosSerialization
{
    /// <summary>The message as a CDR_LE payload, exactly what rmw puts on the wire and rosbag2 records.</summary>
    public static byte[] Serialize<T>(T message, int initialCapacity = 256)
        where T : IRosMessage<T>
    {
        var writer = new CdrWriter(initialCapacity);
        message.Write(writer);
        return writer.ToArray();
    }

    /// <summary>Decodes one payload; byte sequences (PointCloud2 data) are slices of <paramref name="payload"/>.</summary>
    /// <exception cref="CdrFormatException">The payload is malformed or truncated.</exception>
    public static T Deserialize<T>(ReadOnlyMemory<byte> payload)
        where T : IRosMessage<T> => T.Read(new CdrReader(payload));

    public static void WriteSequence<T>(this CdrWriter writer, IReadOnlyList<T> items)
        where T : IRosMessage<T>
    {
        writer.WriteSequenceLength(items.Count);
        foreach (T item in items)
        {
            item.Write(writer);
        }
    }

    public static T[] ReadSequence<T>(this CdrReader reader, string field)
        where T : IRosMessage<T> => reader.ReadSequence(field, T.MinWireSize, T.Read);
}
