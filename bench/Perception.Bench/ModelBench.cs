using System.Runtime;
using Pvcnn;
using TorchSparse.Conv;
using TorchSparse.Nn;
using TorchSparse.Tuning;

namespace Perception.Bench;

/// <summary>
/// End-to-end segmentation of the standard scan (voxelize, network, per-point labels) with the spvnas models at
/// their published sizes, random weights (speed does not depend on the values), per-stage breakdown and the
/// process's peak resident memory during one forward pass.
/// </summary>
public static class ModelBench
{
    private static readonly (string Key, string Description, Func<SegmentationModel> Create, double TargetMs)[] Models =
    [
        ("minkunet_cr05", "MinkUNet cr 0.5 (5.5 M parameters)", () => new MinkUNet(0.5), 400),
        ("minkunet_cr10", "MinkUNet cr 1.0 (21.7 M parameters)", () => new MinkUNet(1.0), 1500),
        ("spvcnn_cr10", "SPVCNN cr 1.0 (21.8 M parameters)", () => new Spvcnn(1.0), 1700),
    ];

    public static void Run(BenchReport report, StandardWorkload workload, int repeats, IProgress<string>? progress)
    {
        float[] points = workload.Scan.Points.ToArray();
        foreach ((string key, string description, Func<SegmentationModel> create, double target) in Models)
        {
            progress?.Report($"end to end: {description}");
            var segmenter = new SemanticSegmenter(create());
            double ms = ConvAutotuner.MedianMilliseconds(() => segmenter.Segment(points), repeats);
            report.Add($"{key}_ms", ms, "ms", $"{description}: scan to per-point labels (target: at most {target} ms)");
            Stages(report, key, description, segmenter, points);

            // Before the baseline below, whose larger workspaces would stay in the process heap.
            if (key == "minkunet_cr10")
            {
                report.Add($"{key}_peak_bytes", PeakResidentBytes(() => segmenter.Segment(points)), "bytes",
                    "process peak resident memory during one pass, runtime and weights included (target: at most 1.5 GB)");
            }

            double baselineMs = GatherScatterBaseline(segmenter, points, repeats);
            report.Add($"{key}_gather_scatter_ms", baselineMs, "ms", $"{description} with every conv on gather-GEMM-scatter");
            report.Add($"{key}_speedup_vs_gather_scatter", baselineMs / ms, "x", "gather-scatter time / default time");
        }

        progress?.Report("training step: MinkUNet cr 0.5");
        TrainingBench.Run(report, workload, steps: 3);
        report.Add("train_minkunet_cr05_vs_inference",
            report.Number("train_minkunet_cr05_step_ms") / report.Number("minkunet_cr05_ms"), "x", "training step / inference pass");
    }

    /// <summary>MACs and the per-stage split of the profiled pass with the median total of three.</summary>
    private static void Stages(BenchReport report, string key, string description, SemanticSegmenter segmenter, float[] points)
    {
        var passes = new ForwardProfile[3];
        for (int i = 0; i < passes.Length; i++)
        {
            passes[i] = new ForwardProfile();
            segmenter.Segment(points, passes[i]);
        }

        ForwardProfile profile = passes.OrderBy(p => p.TotalMilliseconds).ElementAt(1);
        report.Add($"{key}_gmacs", profile.Macs / 1e9, "GMACs", "multiply-accumulates of convs and linear layers on this scan");
        foreach ((string stage, double stageMs) in profile.Milliseconds)
        {
            report.Add($"{key}_{stage.Replace(' ', '_')}_ms", stageMs, "ms", $"{description}: {stage} (median of three profiled passes)");
        }
    }

    /// <summary>Our own baseline in the same run: every conv on gather-GEMM-scatter, TorchSparse's CPU path.</summary>
    private static double GatherScatterBaseline(SemanticSegmenter segmenter, float[] points, int repeats)
    {
        IReadOnlyList<Conv3d> layers = segmenter.Model.ConvLayers;
        ConvConfig[] chosen = layers.Select(c => c.Config).ToArray();
        foreach (Conv3d conv in layers)
        {
            conv.Config = new ConvConfig { Dataflow = Dataflow.GatherScatter };
        }

        double ms = ConvAutotuner.MedianMilliseconds(() => segmenter.Segment(points), repeats);
        for (int i = 0; i < chosen.Length; i++)
        {
            layers[i].Config = chosen[i];
        }

        return ms;
    }

    /// <summary>Peak RSS while <paramref name="action"/> runs: the kernel's high-water mark, reset just before it
    /// (writing 5 to /proc/self/clear_refs) after a full compacting collection.</summary>
    private static long PeakResidentBytes(Action action)
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        File.WriteAllText("/proc/self/clear_refs", "5");
        action();
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("/proc/self/status has no VmHWM line.");
    }
}
