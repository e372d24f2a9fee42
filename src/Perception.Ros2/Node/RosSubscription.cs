using Perception.Ros2.Cdr;
using Perception.Ros2.Dds;
using Perception.Ros2.Messages;

namespace Perception.Ros2.Node;

/// <summary>One received sample: the message, or the typed error its payload gave (never both).</summary>
public readonly record struct RosReceived<T>(T? Message, CdrFormatException? Error, long SourceTimestampNanoseconds);

/// <summary>
/// Receives <typeparamref name="T"/> messages. A payload that does not decode (truncated, absurd lengths, wrong
/// encapsulation) comes back as a <see cref="RosReceived{T}"/> with its <see cref="CdrFormatException"/>, so one bad
/// sample never stops the subscriber.
/// </summary>
public sealed class RosSubscription<T> : IDisposable
    where T : IRosMessage<T>
{
    private readonly List<DdsSample> taken = [];

    internal RosSubscription(DdsReader reader) => Reader = reader;

    public DdsReader Reader { get; }

    /// <summary>Waits for data (see <see cref="DdsReader.WaitForData"/>).</summary>
    public bool WaitForData(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Reader.WaitForData(timeout, cancellationToken);

    /// <summary>Takes and decodes everything available, oldest first.</summary>
    public IReadOnlyList<RosReceived<T>> Take()
    {
        taken.Clear();
        Reader.Take(taken);
        var received = new RosReceived<T>[taken.Count];
        for (int i = 0; i < taken.Count; i++)
        {
            try
            {
                received[i] = new RosReceived<T>(RosSerialization.Deserialize<T>(taken[i].Payload), null,
                    taken[i].SourceTimestampNanoseconds);
            }
            catch (CdrFormatException e)
            {
                received[i] = new RosReceived<T>(default, e, taken[i].SourceTimestampNanoseconds);
            }
        }

        return received;
    }

    public void Dispose() => Reader.Dispose();
}
