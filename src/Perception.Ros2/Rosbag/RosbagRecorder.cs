using System.Diagnostics;
using Perception.Ros2.Dds;
using Perception.Ros2.Messages;
using Perception.Ros2.Node;

namespace Perception.Ros2.Rosbag;

/// <summary>Which topics a <see cref="RosbagRecorder"/> records: the named ones, or every ROS topic with --all.</summary>
public sealed record RosbagRecordOptions
{
    /// <summary>ROS topic names (<c>/a</c>); ignored with <see cref="AllTopics"/>.</summary>
    public IReadOnlyList<string> Topics { get; init; } = [];

    public bool AllTopics { get; init; }
}

/// <summary>What a recording has so far, for a status line.</summary>
public sealed record RosbagRecordStatus(int Topics, long Messages, long Bytes, TimeSpan Elapsed,
    IReadOnlyList<string> Skipped);

/// <summary>
/// Records ROS topics into a <see cref="RosbagMcapWriter"/> like <c>ros2 bag record</c>: each topic's type and offered
/// QoS come from DDS discovery of its writers (the DCPSPublication built-in topic), so nothing has to be declared;
/// a topic is subscribed with its writers' reliability and durability as soon as one is seen. Messages are recorded
/// as the CDR bytes that arrived, log time = receive time, publish time = the writer's source timestamp. Topics whose
/// type the SDK has no definition of cannot get a schema and are listed in <see cref="RosbagRecordStatus.Skipped"/>.
/// </summary>
public sealed class RosbagRecorder
{
    private static readonly TimeSpan DiscoveryPeriod = TimeSpan.FromMilliseconds(100);
    private readonly RosNode node;
    private readonly RosbagMcapWriter writer;
    private readonly RosbagRecordOptions options;
    private readonly HashSet<string> wanted;
    private readonly Dictionary<string, Thread> recording = new(StringComparer.Ordinal);
    private readonly SortedSet<string> skipped = new(StringComparer.Ordinal);
    private readonly object gate = new();
    private long messages, bytes;
    private Exception? failure;

    public RosbagRecorder(RosNode node, RosbagMcapWriter writer, RosbagRecordOptions options)
    {
        if (!options.AllTopics && options.Topics.Count == 0)
        {
            throw new ArgumentException("Name at least one topic, or record all of them.", nameof(options));
        }

        this.node = node;
        this.writer = writer;
        this.options = options;
        wanted = [.. options.Topics.Select(t => RosNames.Resolve(t, node.Namespace))];
    }

    /// <summary>Records until <paramref name="stop"/> is cancelled, reporting about every
    /// <paramref name="reportPeriod"/>; the caller then finishes the writer.</summary>
    /// <exception cref="IOException">Writing the recording failed (the first error of any topic).</exception>
    public void Run(CancellationToken stop, Action<RosbagRecordStatus>? report = null, TimeSpan? reportPeriod = null)
    {
        long start = Stopwatch.GetTimestamp(), lastReport = 0;
        using var discovery = new DdsWriterDiscovery(node.Participant);
        try
        {
            while (!stop.IsCancellationRequested && failure is null)
            {
                Subscribe(discovery.Writers, stop);
                if (report is not null && Stopwatch.GetElapsedTime(lastReport) >= (reportPeriod ?? TimeSpan.FromSeconds(0.5)))
                {
                    report(Status(start));
                    lastReport = Stopwatch.GetTimestamp();
                }

                stop.WaitHandle.WaitOne(DiscoveryPeriod);
            }
        }
        finally
        {
            foreach (Thread thread in recording.Values)
            {
                thread.Join();
            }
        }

        if (failure is not null)
        {
            throw new IOException($"recording failed: {failure.Message}", failure);
        }

        report?.Invoke(Status(start));
    }

    private RosbagRecordStatus Status(long start)
    {
        lock (gate)
        {
            return new RosbagRecordStatus(recording.Count, messages, bytes, Stopwatch.GetElapsedTime(start), [.. skipped]);
        }
    }

    private void Subscribe(IEnumerable<DdsDiscoveredWriter> writers, CancellationToken stop)
    {
        foreach (DdsDiscoveredWriter found in writers)
        {
            string? topic = RosNames.FromDdsTopic(found.TopicName);
            if (topic is null || recording.ContainsKey(topic) || !(options.AllTopics || wanted.Contains(topic)))
            {
                continue;
            }

            RosMessageType? type = RosMessageType.FromDdsTypeName(found.DdsTypeName);
            if (type is null)
            {
                lock (gate)
                {
                    skipped.Add($"{topic} ({found.DdsTypeName}: no definition in the SDK's message table)");
                }

                continue;
            }

            // The offered profile goes into the file; a reliable topic is read with KEEP_ALL so a slow disk write
            // never pushes a sample out of the reader's history before it is recorded.
            lock (gate)
            {
                writer.AddTopic(topic, type, found.Qos);
            }

            QosProfile readerQos = found.Qos with { KeepAll = found.Qos.Reliable };
            DdsReader reader = node.CreateRawReader(topic, type, readerQos);
            var thread = new Thread(() => Record(topic, reader, stop)) { IsBackground = true, Name = "record " + topic };
            lock (gate)
            {
                recording[topic] = thread;
            }

            thread.Start();
        }
    }

    private void Record(string topic, DdsReader reader, CancellationToken stop)
    {
        var samples = new List<DdsSample>();
        try
        {
            while (!stop.IsCancellationRequested && failure is null)
            {
                reader.WaitForData(TimeSpan.FromMilliseconds(200), stop);
                Drain(topic, reader, samples);
            }

            Drain(topic, reader, samples); // what arrived before the stop belongs in the file
        }
        catch (Exception e) when (e is IOException or DdsException or UnauthorizedAccessException)
        {
            _ = Interlocked.CompareExchange(ref failure, e, null); // the first error is the one reported
        }
        finally
        {
            reader.Dispose();
        }
    }

    private void Drain(string topic, DdsReader reader, List<DdsSample> samples)
    {
        samples.Clear();
        reader.Take(samples);
        long receivedAt = UnixNanoseconds();
        lock (gate)
        {
            foreach (DdsSample sample in samples)
            {
                writer.WriteSerialized(topic, sample.Payload, receivedAt, sample.SourceTimestampNanoseconds);
                messages++;
                bytes += sample.Payload.Length;
            }
        }
    }

    private static long UnixNanoseconds() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
}
