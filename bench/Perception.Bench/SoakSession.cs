using System.Collections.Concurrent;
using System.Diagnostics;
using Perception.Ros2.Dds;
using Perception.Ros2.Messages;
using Perception.Ros2.Node;
using Perception.Ros2.Rosbag;

namespace Perception.Bench;

/// <summary>
/// One node process under test and this process's side of it: a reliable PointCloud2 publisher on /soak/points, a
/// reliable subscriber to the labelled clouds and to the node's diagnostics. Frames are numbered by header.stamp.sec,
/// so each labelled cloud is matched to the moment its input was published (one clock: this process's).
/// </summary>
internal sealed class SoakSession : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private readonly Process node;
    private readonly RosNode client;
    private readonly RosPublisher<PointCloud2> input;
    private readonly RosSubscription<PointCloud2> labelled;
    private readonly RosSubscription<DiagnosticArray> diagnostics;
    private readonly ConcurrentDictionary<int, long> publishedAt = new();
    private readonly ConcurrentQueue<(int Frame, double Ms)> latencies = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Thread receiver;
    private readonly float[] xyz;
    private readonly float[] intensity;
    private volatile int countersFrame = -1;

    /// <param name="startNode">Starts `perception ros2 segment` with the given arguments.</param>
    /// <param name="parameters">The node's YAML parameters (topics, reliable input).</param>
    /// <param name="domain">The DDS domain of both processes (loopback only).</param>
    /// <param name="threads">The node's CPU threads (0 = all).</param>
    /// <param name="xyzi">The cloud every frame publishes.</param>
    /// <param name="model">The node's --model (none: no model); null = the shipped model.</param>
    public SoakSession(Func<IReadOnlyList<string>, ProcessStartInfo> startNode, string parameters, uint domain,
        string? model, int threads, float[] xyzi)
    {
        (xyz, intensity) = Split(xyzi);
        client = new RosNode("soak_bench", new RosNodeOptions { DomainId = domain, DdsConfigXml = DdsConfig.LoopbackOnly() });
        // KEEP_ALL: a keep-last writer may replace samples not yet acknowledged, which DDS allows on a reliable topic
        // and which a burst or a starved node provokes; keep-all blocks the publisher instead.
        input = client.CreatePublisher<PointCloud2>("/soak/points", QosProfile.Default with { KeepAll = true });
        labelled = client.CreateSubscription<PointCloud2>("/soak/segmented", new QosProfile(100, true, false));
        diagnostics = client.CreateSubscription<DiagnosticArray>("/soak/diagnostics", new QosProfile(100, true, false));
        string[] modelArguments = model is null ? [] : ["--model", model];
        node = Process.Start(startNode(["ros2", "segment", "--params", parameters, "--loopback", "--domain-id",
            $"{domain}", "--threads", $"{threads}", .. modelArguments]))!;
        node.OutputDataReceived += (_, _) => { }; // drained, so the node never blocks on a full pipe
        node.ErrorDataReceived += (_, _) => { };
        node.BeginOutputReadLine();
        node.BeginErrorReadLine();
        if (!input.Writer.WaitForReaders(1, Timeout))
        {
            throw new InvalidOperationException("the node process never subscribed to /soak/points");
        }

        receiver = new Thread(Receive) { IsBackground = true, Name = "soak receive" };
        receiver.Start();
    }

    public int Published { get; private set; }

    /// <summary>The bytes of one published cloud message.</summary>
    public int CloudBytes { get; private set; }

    /// <summary>The node's counters from its last diagnostics (received, processed, dropped, malformed).</summary>
    public IReadOnlyDictionary<string, long> NodeCounters { get; private set; } = new Dictionary<string, long>();

    public int LabelledReceived => latencies.Count;

    public long NodeResidentBytes => ResidentBytes(node.Id);

    public static long ResidentBytes(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024).Single();

    /// <summary>Publishes frame <paramref name="frame"/> (blocks while a reliable reader's queue is full).</summary>
    public void Publish(int frame)
    {
        PointCloud2 cloud = Perception.Ros2.PointClouds.PointCloud2Builder.Build(
            new Header(new Time(frame, 0), "velodyne"), xyz, intensity);
        byte[] payload = cloud.Serialize();
        CloudBytes = payload.Length;
        publishedAt[frame] = Stopwatch.GetTimestamp();
        input.Writer.Write(payload);
        Published++;
    }

    /// <summary>Waits until the labelled cloud of <paramref name="frame"/> arrived; false after the timeout.</summary>
    public bool WaitForFrame(int frame, TimeSpan timeout)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        // The counters are read from that frame's own diagnostics, which follow its labelled cloud.
        while (!latencies.Any(l => l.Frame == frame) || countersFrame < frame)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }

            Thread.Sleep(10);
        }

        return true;
    }

    /// <summary>Seconds from <paramref name="since"/> (a Stopwatch timestamp) until the labelled cloud of
    /// <paramref name="frame"/> arrived.</summary>
    public double ArrivedAfter(int frame, long since) =>
        ((publishedAt[frame] - since) / (double)Stopwatch.Frequency) + (latencies.First(l => l.Frame == frame).Ms / 1e3);

    /// <summary>Latencies (publish to labelled cloud received) of the frames from <paramref name="firstFrame"/> on.</summary>
    public double[] Latencies(int firstFrame) => [.. latencies.Where(l => l.Frame >= firstFrame).Select(l => l.Ms).Order()];

    public void Dispose()
    {
        // SIGTERM: the node ends its loop, prints its summary and deletes its DDS entities, as under systemd.
        using (Process kill = Process.Start("kill", ["-TERM", $"{node.Id}"]))
        {
            kill.WaitForExit();
        }

        if (!node.WaitForExit(30_000))
        {
            node.Kill();
        }

        stop.Cancel();
        receiver.Join();
        node.Dispose();
        client.Dispose();
    }

    private void Receive()
    {
        while (!stop.IsCancellationRequested)
        {
            labelled.WaitForData(TimeSpan.FromMilliseconds(50), stop.Token);
            long now = Stopwatch.GetTimestamp();
            foreach (RosReceived<PointCloud2> sample in labelled.Take())
            {
                int frame = sample.Message?.Header.Stamp.Sec ?? -1;
                if (publishedAt.TryGetValue(frame, out long sent))
                {
                    latencies.Enqueue((frame, (now - sent) * 1000.0 / Stopwatch.Frequency));
                }
            }

            foreach (RosReceived<DiagnosticArray> sample in diagnostics.Take())
            {
                if (sample.Message?.Status is [DiagnosticStatus status, ..])
                {
                    NodeCounters = status.Values.Where(v => long.TryParse(v.Value, out _))
                        .ToDictionary(v => v.Key, v => long.Parse(v.Value));
                    string stamp = status.Values.FirstOrDefault(v => v.Key == "frame_stamp")?.Value ?? "-1.0";
                    countersFrame = int.Parse(stamp.Split('.')[0]); // the node stamps its diagnostics "sec.nanosec"
                }
            }
        }
    }

    private static (float[] Xyz, float[] Intensity) Split(float[] xyzi)
    {
        int n = xyzi.Length / 4;
        var points = new float[n * 3];
        var values = new float[n];
        for (int p = 0; p < n; p++)
        {
            xyzi.AsSpan(p * 4, 3).CopyTo(points.AsSpan(p * 3));
            values[p] = xyzi[(p * 4) + 3];
        }

        return (points, values);
    }
}
