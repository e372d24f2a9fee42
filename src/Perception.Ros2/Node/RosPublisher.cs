using Perception.Ros2.Dds;
using Perception.Ros2.Messages;

namespace Perception.Ros2.Node;

/// <summary>Publishes <typeparamref name="T"/> messages, serialized by the SDK's CDR codec.</summary>
public sealed class RosPublisher<T> : IDisposable
    where T : IRosMessage<T>
{
    internal RosPublisher(DdsWriter writer) => Writer = writer;

    public DdsWriter Writer { get; }

    /// <exception cref="DdsException">DDS refused the sample.</exception>
    public void Publish(T message) =>
        Writer.Write(message is PointCloud2 cloud ? cloud.Serialize() : RosSerialization.Serialize(message));

    public void Dispose() => Writer.Dispose();
}
