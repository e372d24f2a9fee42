using System.Diagnostics;
using Perception.Datasets.SemanticKitti;
using Pvcnn;
using TorchSparse;
using TorchSparse.Autograd;
using TorchSparse.Coordinates;
using TorchSparse.Training;

namespace Perception.Bench;

/// <summary>
/// One SGD step of MinkUNet cr 0.5 on the standard scan, labelled with its simulated classes (spvnas's map): its
/// median time, scans per second, and the shares of the step spent in kernel maps, convs and batch norms (forward
/// and backward each). Every step gets a fresh kernel-map cache, as a new scan would; the first step, which also
/// fills the model's tensor pool, is a warm-up.
/// </summary>
public static class TrainingBench
{
    public static void Run(BenchReport report, StandardWorkload workload, int steps)
    {
        var model = new MinkUNet(0.5) { Training = true };
        float[] points = workload.Scan.Points.ToArray();
        (SparseTensor input, QuantizedCloud cloud) = SemanticSegmenter.Voxelize(points, StandardWorkload.VoxelSize);
        var targets = new long[cloud.Count];
        for (int v = 0; v < targets.Length; v++)
        {
            targets[v] = KittiLearningMap.Spvnas.ToClass(workload.Scan.RawLabels[cloud.FirstIndex[v]]);
        }

        Tensor labels = Tensor.From(targets, targets.Length);
        var sgd = new Sgd(learningRate: 0.01, momentum: 0.9);
        var times = new List<double>();
        var categories = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int step = 0; step <= steps; step++)
        {
            var profile = new TapeProfile();
            var scan = new SparseTensor(input.Feats, input.Coords);
            long start = Stopwatch.GetTimestamp();
            sgd.Step(TrainingStep.Gradients(model, scan, labels, ignoreIndex: 255, profile).Gradients);
            if (step > 0)
            {
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                foreach ((string category, double ms) in profile.Milliseconds)
                {
                    categories[category] = categories.GetValueOrDefault(category) + ms;
                }
            }
        }

        double median = times.Order().ElementAt(times.Count / 2);
        report.Add("train_minkunet_cr05_step_ms", median, "ms",
            $"MinkUNet cr 0.5 training step on the standard scan: forward on the tape, cross-entropy, backward, SGD (median of {steps})");
        report.Add("train_minkunet_cr05_scans_per_s", 1000 / median, "scans/s", "training throughput, one scan per step");
        foreach ((string key, string category) in new[]
        {
            ("kernel_maps", TapeProfile.KernelMaps), ("convs", TapeProfile.Convs), ("batch_norm", TapeProfile.BatchNorm),
        })
        {
            report.Add($"train_minkunet_cr05_{key}_share", categories.GetValueOrDefault(category) / times.Sum(), "fraction",
                $"share of the step in {category}, forward and backward");
        }
    }
}
