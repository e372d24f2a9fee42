using System.Diagnostics;
using TorchSparse.Conv;
using TorchSparse.Nn;

namespace TorchSparse.Tuning;

/// <summary>One measured candidate, reported through progress so callers can show what the tuner tried.</summary>
public readonly record struct TuningTrial(string Group, ConvConfig Config, double MedianMilliseconds);

/// <summary>
/// Chooses a <see cref="ConvConfig"/> per group of layers that share a kernel map (TorchSparse's grouping: same
/// kernel-map key; a transposed layer joins the group of its downsampling layer). Each candidate is timed on the
/// real input through the whole forward pass while only that group's config changes (greedy, group by group).
/// </summary>
public static class ConvAutotuner
{
    /// <summary>The group a layer belongs to when it sees an input at <paramref name="inputStride"/>.</summary>
    public static string GroupKey(Int3 inputStride, ConvGeometry g)
    {
        if (g.IsPointwise)
        {
            return "pointwise";
        }

        if (g.IsSubmanifold)
        {
            return $"subm k={g.KernelSize} d={g.Dilation} @{inputStride}";
        }

        if (g.Transposed && !g.Generative)
        {
            var fine = new Int3(inputStride.X / g.Stride.X, inputStride.Y / g.Stride.Y, inputStride.Z / g.Stride.Z);
            return $"down k={g.KernelSize} s={g.Stride} d={g.Dilation} p={g.Padding} {g.Rule} @{fine}";
        }

        string kind = g.Generative ? "gen" : "down";
        return $"{kind} k={g.KernelSize} s={g.Stride} d={g.Dilation} p={g.Padding} {g.Rule} @{inputStride}";
    }

    /// <summary>
    /// Tunes every group of <paramref name="layers"/> by timing <paramref name="forward"/> on <paramref name="input"/>.
    /// Leaves each layer set to its group's fastest config and returns the record to save.
    /// </summary>
    public static TuningRecord Tune(
        SparseTensor input,
        Func<SparseTensor, SparseTensor> forward,
        IReadOnlyList<Conv3d> layers,
        int repeats = 5,
        IReadOnlyList<ConvConfig>? candidates = null,
        IProgress<TuningTrial>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        candidates ??= TuningCandidates.Cpu;
        forward(input);

        // Devices that queue their ops are timed to completion, not to the last launch.
        void Pass()
        {
            forward(input);
            input.Device.Synchronize();
        }

        Dictionary<string, List<Conv3d>> groups = GroupLayers(layers);
        var chosen = new Dictionary<string, ConvConfig>();
        foreach ((string key, List<Conv3d> members) in groups)
        {
            if (key == "pointwise")
            {
                continue;
            }

            ConvConfig best = members[0].Config;
            double bestMs = double.PositiveInfinity;
            foreach (ConvConfig candidate in candidates)
            {
                members.ForEach(layer => layer.Config = candidate);
                double ms = MedianMilliseconds(Pass, repeats);
                progress?.Report(new TuningTrial(key, candidate, ms));
                if (ms < bestMs)
                {
                    (best, bestMs) = (candidate, ms);
                }
            }

            members.ForEach(layer => layer.Config = best);
            chosen[key] = best;
        }

        return new TuningRecord { Machine = TuningRecord.CurrentMachine, Backend = input.Device.ToString(), Groups = chosen };
    }

    /// <summary>Sets each layer's config from a record. Layers must have run once so their group is known.</summary>
    public static void Apply(TuningRecord record, IReadOnlyList<Conv3d> layers)
    {
        foreach ((string key, List<Conv3d> members) in GroupLayers(layers))
        {
            if (record.Groups.TryGetValue(key, out ConvConfig? config))
            {
                members.ForEach(layer => layer.Config = config);
            }
        }
    }

    /// <summary>Median wall time of <paramref name="action"/> after one warm-up run.</summary>
    public static double MedianMilliseconds(Action action, int repeats)
    {
        action();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        return times[repeats / 2];
    }

    private static Dictionary<string, List<Conv3d>> GroupLayers(IReadOnlyList<Conv3d> layers)
    {
        var groups = new Dictionary<string, List<Conv3d>>();
        foreach (Conv3d layer in layers)
        {
            string key = layer.LastInputStride is Int3 stride
                ? GroupKey(stride, layer.Geometry)
                : throw new InvalidOperationException(
                    "a layer has not run yet: run one forward pass before grouping layers for tuning.");
            if (!groups.TryGetValue(key, out List<Conv3d>? members))
            {
                groups[key] = members = [];
            }

            members.Add(layer);
        }

        return groups;
    }
}
