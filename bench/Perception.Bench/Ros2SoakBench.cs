using System.Diagnostics;

namespace Perception.Bench;

/// <summary>
/// The ROS 2 soak: the standard scan (about 120k points, x y z intensity float32) published at 10 Hz over Cyclone DDS
/// on loopback to `perception ros2 segment` running in a second process, first without the model (the node labels
/// nothing: transport, decoding and re-encoding only), then with the shipped model; then a burst of back-to-back
/// clouds for the DDS throughput between the two processes. Latency is publish to labelled cloud received, on this
/// process's clock. Every topic is reliable, so any message published and not received is lost (must be 0); frames
/// the node skips because a newer one arrived while it was busy are its policy and counted apart as dropped.
/// </summary>
public static class Ros2SoakBench
{
    private const double RateHz = 10;

    /// <param name="startNode">Starts the perception CLI with the given arguments (the node runs in that process).</param>
    /// <param name="seconds">Publishing time of each 10 Hz phase.</param>
    /// <param name="threads">The node's CPU threads (0 = all).</param>
    /// <param name="progress">Receives a line per phase.</param>
    public static BenchReport Run(Func<IReadOnlyList<string>, ProcessStartInfo> startNode, double seconds, int threads,
        IProgress<string>? progress)
    {
        var report = new BenchReport();
        float[] xyzi = StandardWorkload.Create().Scan.Points.ToArray();
        string parameters = Path.Combine(Path.GetTempPath(), $"perception-soak-{Environment.ProcessId}.yaml");
        File.WriteAllText(parameters, "input_topic: /soak/points\noutput_topic: /soak/segmented\n" +
            "diagnostics_topic: /soak/diagnostics\ninput_reliable: true\n");
        uint domain = (uint)(200 + (Environment.ProcessId % 30));
        report.Add("ros2_points", xyzi.Length / 4, "points", "points per published cloud (the standard scan)");
        report.Add("ros2_soak_seconds", seconds, "s", "publishing time of each 10 Hz phase");
        try
        {
            foreach ((string key, string? model) in new[] { ("no_model", "none"), ("model", (string?)null) })
            {
                progress?.Report($"ros2 soak {key}: {seconds:F0} s at 10 Hz");
                using var session = new SoakSession(startNode, parameters, domain, model, threads, xyzi);
                Soak(report, session, key, seconds);
                if (key == "no_model")
                {
                    progress?.Report("ros2 burst: back-to-back clouds");
                    Burst(report, session, (int)Math.Clamp(seconds, 20, 100));
                }
            }
        }
        finally
        {
            File.Delete(parameters);
        }

        return report;
    }

    private static void Soak(BenchReport report, SoakSession session, string key, double seconds)
    {
        int frames = (int)(seconds * RateHz);
        int warmup = Math.Max(1, frames / 10);
        long start = Stopwatch.GetTimestamp(), nodeStart = 0, benchStart = 0;
        for (int frame = 0; frame < frames; frame++)
        {
            TimeSpan wait = TimeSpan.FromSeconds(frame / RateHz) - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                Thread.Sleep(wait);
            }

            session.Publish(frame);
            if (frame == warmup)
            {
                // Memory "at start" is taken once the first frames went through: runtime, JIT and buffers warmed up.
                (nodeStart, benchStart) = (session.NodeResidentBytes, SoakSession.ResidentBytes(Environment.ProcessId));
            }
        }

        bool last = session.WaitForFrame(frames - 1, TimeSpan.FromSeconds(60));
        double[] latencies = session.Latencies(warmup);
        string what = key == "model" ? "with the shipped model" : "without the model (node labels nothing)";
        report.Add($"ros2_{key}_latency_median_ms", Percentile(latencies, 0.5), "ms", $"publish to labelled cloud received, {what}");
        report.Add($"ros2_{key}_latency_p95_ms", Percentile(latencies, 0.95), "ms", $"95th percentile, {what}");
        Losses(report, session, key, last);
        report.Add($"ros2_{key}_node_rss_start_mb", nodeStart / 1e6, "MB", "node process resident memory after the first tenth of the frames");
        report.Add($"ros2_{key}_node_rss_end_mb", session.NodeResidentBytes / 1e6, "MB", "node process resident memory at the end");
        report.Add($"ros2_{key}_bench_rss_start_mb", benchStart / 1e6, "MB", "publisher/subscriber process resident memory, same moment");
        report.Add($"ros2_{key}_bench_rss_end_mb", SoakSession.ResidentBytes(Environment.ProcessId) / 1e6, "MB", "publisher/subscriber process at the end");
    }

    private static void Losses(BenchReport report, SoakSession session, string key, bool lastArrived)
    {
        IReadOnlyDictionary<string, long> node = session.NodeCounters;
        long received = node.GetValueOrDefault("received"), processed = node.GetValueOrDefault("processed");
        report.Add($"ros2_{key}_published", session.Published, "frames", "clouds published");
        report.Add($"ros2_{key}_node_processed", processed, "frames", "clouds the node labelled and published");
        report.Add($"ros2_{key}_node_dropped", node.GetValueOrDefault("dropped"), "frames",
            "clouds the node skipped because a newer one arrived while it was busy (its keep-newest policy)");
        report.Add($"ros2_{key}_lost_input", session.Published - received, "messages",
            "reliable clouds published (keep all) that the node never received (target: 0)");
        report.Add($"ros2_{key}_lost_output", processed - session.LabelledReceived, "messages",
            "labelled clouds the node published (reliable, keep last 10) that never arrived here (target: 0)");
        report.Add($"ros2_{key}_last_frame_arrived", lastArrived ? 1 : 0, "bool", "the newest frame came back labelled");
    }

    private static void Burst(BenchReport report, SoakSession session, int count)
    {
        int first = session.Published;
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            session.Publish(first + i);
        }

        bool arrived = session.WaitForFrame(first + count - 1, TimeSpan.FromSeconds(60));
        double seconds = arrived ? session.ArrivedAfter(first + count - 1, start) : double.NaN;
        IReadOnlyDictionary<string, long> node = session.NodeCounters;
        report.Add("ros2_burst_clouds", count, "clouds", $"{session.CloudBytes / 1e6:F2} MB each, published back to back");
        report.Add("ros2_dds_throughput_mb_s", arrived ? count * (double)session.CloudBytes / seconds / 1e6 : 0, "MB/s",
            "reliable PointCloud2 bytes from this process to the node process per second (until the last came back labelled)");
        report.Add("ros2_burst_lost", session.Published - node.GetValueOrDefault("received"), "messages",
            "burst clouds the node never received (target: 0)");
    }

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Floor(q * sorted.Length))];
}
