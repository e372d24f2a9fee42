using System.Diagnostics;
using Perception.Ros2.Dds;
using Perception.Ros2.Mcap;
using Perception.Ros2.Messages;
using Perception.Ros2.Node;

namespace Perception.Ros2.Rosbag;

/// <summary>How a <see cref="RosbagPlayer"/> replays a recording.</summary>
public sealed record RosbagPlayOptions
{
    /// <summary>Speed factor on the recorded timing; 0 publishes as fast as DDS takes the messages.</summary>
    public double Rate { get; init; } = 1;

    /// <summary>Only these ROS topics; empty = every topic of the file.</summary>
    public IReadOnlyList<string> Topics { get; init; } = [];

    public bool Loop { get; init; }

    /// <summary>Before publishing, wait up to this long until every topic has a matched reader (zero = do not wait,
    /// as <c>ros2 bag play</c>; volatile messages published before a subscriber matched are not delivered).</summary>
    public TimeSpan WaitForSubscribers { get; init; }
}

/// <summary>
/// Publishes the messages of a rosbag2-style MCAP file (profile <c>ros2</c>, <c>cdr</c> channels with <c>ros2msg</c>
/// schemas) at their recorded log times scaled by the rate, each topic with the QoS its channel recorded in
/// <c>offered_qos_profiles</c> (the default profile when it has none). Before returning, reliable topics wait for
/// their subscribers to acknowledge, so a short playback still arrives whole.
/// </summary>
public sealed class RosbagPlayer
{
    private static readonly TimeSpan AcknowledgeTimeout = TimeSpan.FromSeconds(10);
    private readonly RosNode node;
    private readonly RosbagPlayOptions options;
    private readonly Dictionary<ushort, DdsWriter?> writers = [];
    private readonly SortedSet<string> skipped = new(StringComparer.Ordinal);

    public RosbagPlayer(RosNode node, RosbagPlayOptions options)
    {
        if (double.IsNaN(options.Rate) || options.Rate < 0)
        {
            throw new ArgumentException($"The rate must be 0 (as fast as possible) or positive, not {options.Rate}.",
                nameof(options));
        }

        this.node = node;
        this.options = options;
    }

    /// <summary>Topics the file has but that cannot be played (not cdr, a type the SDK does not define, a name ROS
    /// cannot publish, or a second type on one topic).</summary>
    public IReadOnlyCollection<string> Skipped => skipped;

    /// <summary>Plays <paramref name="path"/> (repeatedly with <see cref="RosbagPlayOptions.Loop"/>) until it ends or
    /// <paramref name="stop"/> is cancelled; reports after every message. Returns the messages published.</summary>
    /// <exception cref="McapFormatException">The file is not a valid MCAP file.</exception>
    public long Play(string path, CancellationToken stop, Action<long, TimeSpan>? report = null)
    {
        using McapReader reader = McapReader.Open(path);
        HashSet<string> wanted = [.. options.Topics.Select(t => RosNames.Resolve(t))];
        foreach (McapChannel channel in reader.Channels.Values)
        {
            _ = WriterFor(channel, reader.Schemas.GetValueOrDefault(channel.SchemaId), wanted);
        }

        AwaitSubscribers(stop);
        long published = 0;
        try
        {
            long pass;
            do
            {
                pass = PlayOnce(reader, wanted, published, report, stop);
                published += pass;
            }
            while (options.Loop && pass > 0 && !stop.IsCancellationRequested); // a file with nothing to play ends a loop
        }
        finally
        {
            foreach (DdsWriter writer in writers.Values.OfType<DdsWriter>())
            {
                _ = writer.WaitForAcknowledgements(AcknowledgeTimeout);
                writer.Dispose();
            }
        }

        return published;
    }

    private long PlayOnce(McapReader reader, HashSet<string> wanted, long before, Action<long, TimeSpan>? report,
        CancellationToken stop)
    {
        long wallStart = Stopwatch.GetTimestamp(), published = 0;
        ulong? firstLogTime = null;
        foreach (McapMessageView view in reader.ReadMessages())
        {
            DdsWriter? writer = WriterFor(view.Channel, view.Schema, wanted);
            if (writer is null)
            {
                continue;
            }

            firstLogTime ??= view.Message.LogTime;
            // Signed: a log time before the first one (files need not be in log-time order) is due at once.
            if (options.Rate > 0 && WaitUntil(((double)view.Message.LogTime - firstLogTime.Value) / 1e9 / options.Rate,
                    wallStart, stop))
            {
                break;
            }

            if (stop.IsCancellationRequested)
            {
                break;
            }

            writer.Write(view.Message.Data);
            published++;
            report?.Invoke(before + published, Stopwatch.GetElapsedTime(wallStart));
        }

        return published;
    }

    /// <summary>Sleeps until <paramref name="seconds"/> after <paramref name="wallStart"/>; true when stopped first.
    /// In slices, because WaitOne takes at most int.MaxValue ms (24.8 days) and a recording's gap (or a corrupt log
    /// time) may be longer than TimeSpan itself can hold.</summary>
    private static bool WaitUntil(double seconds, long wallStart, CancellationToken stop)
    {
        double left;
        while ((left = seconds - Stopwatch.GetElapsedTime(wallStart).TotalSeconds) > 0)
        {
            if (stop.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(Math.Min(Math.Ceiling(left * 1000), int.MaxValue))))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The writer of a channel, created on first use; null for channels that are filtered out or cannot be
    /// played.</summary>
    private DdsWriter? WriterFor(McapChannel channel, McapSchema? schema, HashSet<string> wanted)
    {
        if (writers.TryGetValue(channel.Id, out DdsWriter? known))
        {
            return known;
        }

        DdsWriter? writer = null;
        if (wanted.Count == 0 || wanted.Contains(channel.Topic))
        {
            RosMessageType? type = schema is null ? null : TryType(schema.Name);
            string? problem = channel.MessageEncoding != "cdr" || type is null
                ? "not a cdr message of a type the SDK defines"
                : InvalidTopic(channel.Topic) ?? TypeConflict(channel.Topic, type);
            if (problem is not null || type is null)
            {
                skipped.Add($"{channel.Topic} ({schema?.Name ?? "schemaless"}, {channel.MessageEncoding}): {problem}");
            }
            else
            {
                QosProfile qos = QosProfile.FromOfferedQosYaml(channel.Metadata.GetValueOrDefault("offered_qos_profiles"))
                    ?? QosProfile.Default;
                writer = node.CreateRawWriter(channel.Topic, type, qos);
            }
        }

        writers[channel.Id] = writer;
        return writer;
    }

    private void AwaitSubscribers(CancellationToken stop)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(options.WaitForSubscribers.TotalSeconds * Stopwatch.Frequency);
        foreach (DdsWriter writer in writers.Values.OfType<DdsWriter>())
        {
            TimeSpan left = TimeSpan.FromSeconds(Math.Max(0, (deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency));
            _ = writer.WaitForReaders(1, left, stop);
        }
    }

    /// <summary>Why a recorded topic name cannot be published (the file may hold any string), or null.</summary>
    private string? InvalidTopic(string topic)
    {
        try
        {
            _ = RosNames.Resolve(topic, node.Namespace);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    /// <summary>Why a channel cannot be played on a topic another channel of the file plays with another type (a DDS
    /// topic has one type), or null.</summary>
    private string? TypeConflict(string topic, RosMessageType type)
    {
        string ddsTopic = RosNames.ToDdsTopic(topic, node.Namespace);
        return writers.Values.FirstOrDefault(w => w?.TopicName == ddsTopic && w.DdsTypeName != type.DdsTypeName)
            is { } other ? $"the topic is played as {other.DdsTypeName} already" : null;
    }

    private static RosMessageType? TryType(string rosName)
    {
        try
        {
            return RosMessageType.Get(rosName);
        }
        catch (KeyNotFoundException)
        {
            return null;
        }
    }
}
