using System.Diagnostics;
using Perception.Datasets.SemanticKitti;
using Perception.Ros2.Dds;
using Perception.Ros2.Messages;
using Perception.Ros2.Node;
using Perception.Ros2.PointClouds;
using Perception.Ros2.Rosbag;
using Pvcnn;

namespace Perception.Cli.Nodes;

/// <summary>
/// The perception node: PointCloud2 in (sensor-data QoS), the model's classes out as the same points with a uint32
/// <c>label</c> (SemanticKITTI train id, 0 unlabeled, 1 car ... 19 traffic-sign) and a packed <c>rgb</c> class colour
/// (rviz2's RGB8 transformer shows it without configuration), published reliable so rviz2's default subscription gets
/// it, plus one diagnostic_msgs/DiagnosticArray per frame. A receive thread keeps only the newest pending frame and
/// counts the ones it replaced, so a slow model never builds a queue; frames that do not decode or whose layout is
/// inconsistent are counted and reported, and the node goes on.
/// </summary>
internal sealed class SegmentationNode : IDisposable
{
    private readonly SegmentationNodeOptions options;
    private readonly SemanticSegmenter? segmenter;
    private readonly RosNode node;
    private readonly RosSubscription<PointCloud2> input;
    private readonly RosPublisher<PointCloud2> output;
    private readonly RosPublisher<DiagnosticArray> diagnostics;
    private readonly object gate = new();
    private (PointCloud2 Cloud, long ReceivedAt)? pending;
    private string lastError = "";

    /// <param name="options">Topics, QoS and node identity.</param>
    /// <param name="segmenter">null: no model; every point is published with label 0 (unlabeled).</param>
    public SegmentationNode(SegmentationNodeOptions options, SemanticSegmenter? segmenter)
    {
        this.options = options;
        this.segmenter = segmenter;
        node = new RosNode(options.NodeName, new RosNodeOptions
        {
            Namespace = options.Namespace,
            DomainId = options.DomainId ?? new RosNodeOptions().DomainId,
            DdsConfigXml = options.Loopback ? DdsConfig.LoopbackOnly() : null,
            DiscoveryLayout = options.Discovery,
        });
        try
        {
            input = node.CreateSubscription<PointCloud2>(options.InputTopic, options.InputQos);
            output = node.CreatePublisher<PointCloud2>(options.OutputTopic, QosProfile.Default);
            diagnostics = node.CreatePublisher<DiagnosticArray>(options.DiagnosticsTopic, QosProfile.Default);
        }
        catch
        {
            node.Dispose();
            throw;
        }
    }

    public NodeStatistics Statistics { get; } = new();

    /// <summary>The ROS node (its participant also serves the topics to Foxglove with --foxglove).</summary>
    public RosNode RosNode => node;

    /// <summary>Segments frames until <paramref name="stop"/> is cancelled or <see cref="SegmentationNodeOptions.MaxFrames"/>
    /// are done.</summary>
    public void Run(CancellationToken stop, Action<string>? report = null)
    {
        using var finished = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var receiver = new Thread(() => Receive(finished.Token)) { IsBackground = true, Name = "ros2 segment receive" };
        receiver.Start();
        long lastReport = 0;
        while (options.MaxFrames == 0 || Statistics.Processed < options.MaxFrames)
        {
            (PointCloud2 Cloud, long ReceivedAt)? frame = NextFrame(finished.Token);
            if (frame is null)
            {
                break;
            }

            Segment(frame.Value.Cloud, frame.Value.ReceivedAt);
            if (report is not null && Stopwatch.GetElapsedTime(lastReport).TotalSeconds >= 1)
            {
                report(Statistics.Summary());
                lastReport = Stopwatch.GetTimestamp();
            }
        }

        finished.Cancel();
        receiver.Join();
    }

    public void Dispose() => node.Dispose();

    private void Receive(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            input.WaitForData(TimeSpan.FromMilliseconds(200), stop);
            foreach (RosReceived<PointCloud2> sample in input.Take())
            {
                lock (gate)
                {
                    Statistics.Received++;
                    if (sample.Message is null)
                    {
                        Statistics.Malformed++;
                        lastError = sample.Error!.Message;
                        continue;
                    }

                    Statistics.Dropped += pending is null ? 0 : 1;
                    pending = (sample.Message, Stopwatch.GetTimestamp());
                    Monitor.Pulse(gate);
                }
            }
        }

        lock (gate)
        {
            Monitor.PulseAll(gate);
        }
    }

    private (PointCloud2, long)? NextFrame(CancellationToken stop)
    {
        lock (gate)
        {
            while (pending is null && !stop.IsCancellationRequested)
            {
                Monitor.Wait(gate, 200);
            }

            (PointCloud2, long)? frame = pending;
            pending = null;
            return frame;
        }
    }

    private void Segment(PointCloud2 cloud, long receivedAt)
    {
        float[] xyzi;
        try
        {
            xyzi = new PointCloud2Reader(cloud).ReadXyzi(requireIntensity: false);
        }
        catch (PointCloud2LayoutException e)
        {
            lock (gate)
            {
                Statistics.Malformed++;
                lastError = e.Message;
            }

            PublishDiagnostics(cloud.Header, DiagnosticLevel.Error, $"frame refused: {e.Message}", 0, 0, 0);
            return;
        }

        long start = Stopwatch.GetTimestamp();
        // Without a model every class index is -1, which Labelled turns into train id 0 (unlabeled).
        (int[] classes, int voxels) = segmenter?.Segment(xyzi) is { } result ? (result.PointClasses, result.Voxels.Count)
            : (Enumerable.Repeat(-1, xyzi.Length / 4).ToArray(), 0);
        double segmentMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        output.Publish(Labelled(cloud.Header, xyzi, classes));
        double latencyMs = Stopwatch.GetElapsedTime(receivedAt).TotalMilliseconds;
        Statistics.AddFrame(latencyMs);
        bool dropped = Statistics.Dropped > 0;
        PublishDiagnostics(cloud.Header, dropped ? DiagnosticLevel.Warn : DiagnosticLevel.Ok,
            dropped ? "segmenting; older frames were dropped (the model is slower than the input)" : "segmenting",
            classes.Length, voxels, segmentMs);
    }

    /// <summary>x, y, z, intensity of the input and per point the SemanticKITTI train id and its palette colour.</summary>
    internal static PointCloud2 Labelled(Header header, float[] xyzi, int[] classes)
    {
        int n = classes.Length;
        var xyz = new float[n * 3];
        var intensity = new float[n];
        var labels = new uint[n];
        var rgb = new uint[n];
        for (int p = 0; p < n; p++)
        {
            xyzi.AsSpan(p * 4, 3).CopyTo(xyz.AsSpan(p * 3));
            intensity[p] = xyzi[(p * 4) + 3];
            labels[p] = (uint)(classes[p] + 1); // the model's class index is the official train id minus one
            (byte r, byte g, byte b) = KittiClassColors.Of((int)labels[p]);
            rgb[p] = PointCloud2Builder.PackRgb(r, g, b);
        }

        return PointCloud2Builder.Build(header, xyz, intensity, labels, rgb);
    }

    private void PublishDiagnostics(Header frame, DiagnosticLevel level, string message, int points, int voxels,
        double segmentMs)
    {
        NodeStatistics s = Statistics;
        var now = Time.FromNanoseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000);
        KeyValue[] values;
        lock (gate)
        {
            values =
            [
                new("frame_stamp", $"{frame.Stamp.Sec}.{frame.Stamp.Nanosec:D9}"), new("points", $"{points}"),
                new("voxels", $"{voxels}"), new("segment_ms", $"{segmentMs:F1}"),
                new("latency_ms", $"{s.LastLatencyMs:F1}"), new("mean_latency_ms", $"{s.MeanLatencyMs:F1}"),
                new("max_latency_ms", $"{s.MaxLatencyMs:F1}"), new("received", $"{s.Received}"),
                new("processed", $"{s.Processed}"), new("dropped", $"{s.Dropped}"), new("malformed", $"{s.Malformed}"),
                new("last_error", lastError),
            ];
        }

        diagnostics.Publish(new DiagnosticArray(new Header(now, frame.FrameId),
        [
            new DiagnosticStatus(level, $"{options.NodeName}: segmentation", message, options.InputTopic, values),
        ]));
    }
}

/// <summary>Frame counts and latency (receipt to labelled cloud published) of a running node.</summary>
internal sealed class NodeStatistics
{
    private double latencySum;

    public long Received { get; set; }

    public long Processed { get; private set; }

    public long Dropped { get; set; }

    public long Malformed { get; set; }

    public double LastLatencyMs { get; private set; }

    public double MaxLatencyMs { get; private set; }

    public double MeanLatencyMs => Processed == 0 ? 0 : latencySum / Processed;

    public void AddFrame(double latencyMs)
    {
        Processed++;
        LastLatencyMs = latencyMs;
        MaxLatencyMs = Math.Max(MaxLatencyMs, latencyMs);
        latencySum += latencyMs;
    }

    public string Summary() =>
        $"{Received} received, {Processed} segmented, {Dropped} dropped (newer frame arrived), {Malformed} malformed; " +
        $"latency {LastLatencyMs:F1} ms (mean {MeanLatencyMs:F1}, max {MaxLatencyMs:F1})";
}
