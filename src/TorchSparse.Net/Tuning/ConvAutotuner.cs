using System.Diagnostics;
using TorchSparse.Conv;
using TorchSparse.Nn;

namespace TorchSparse.Tuning;

/// <summary>Timings of one action: the median and the median absolute deviation from it, in milliseconds.</summary>
public readonly record struct TurnTimes(double Median, double Spread);

/// <summary>One measured candidate, reported through progress so callers can show what the tuner tried: trial
/// <see cref="Trial"/> (from 1) of <see cref="Trials"/>.</summary>
public readonly record struct TuningTrial(string Group, ConvConfig Config, double MedianMilliseconds, int Trial, int Trials);

/// <summary>
/// Chooses a <see cref="ConvConfig"/> per group of layers that share a kernel map (TorchSparse's grouping: same
/// kernel-map key; a transposed layer joins the group of its downsampling layer). Each candidate is timed on the
/// real input through the whole forward pass while only that group's config changes (greedy, group by group). The
/// group's config before tuning is always one of the candidates, so tuning never picks something it measured slower.
/// A group's candidates are timed in turns (one pass each per round) rather than one after another, so a change in
/// the machine's load during tuning shifts all of them alike instead of favouring whichever ran in the quiet spell.
/// </summary>
public static class ConvAutotuner
{
    /// <summary>The group of 1x1x1 layers: a dense GEMM each, with nothing to choose.</summary>
    public const string PointwiseGroup = "pointwise";

    /// <summary>The group a layer belongs to when it sees an input at <paramref name="inputStride"/>.</summary>
    public static string GroupKey(Int3 inputStride, ConvGeometry g)
    {
        if (g.IsPointwise)
        {
            return PointwiseGroup;
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

        var groups = Groups(layers).Where(g => g.Key != PointwiseGroup)
            .Select(g => (g.Key, Members: g.Value, Tried: WithCurrent(candidates, g.Value[0].Config))).ToList();
        int trials = groups.Sum(g => g.Tried.Count);
        int trial = 0;
        var chosen = new Dictionary<string, ConvConfig>();
        foreach ((string key, IReadOnlyList<Conv3d> members, IReadOnlyList<ConvConfig> tried) in groups)
        {
            int current = IndexOf(tried, members[0].Config);
            TurnTimes[] times = InTurns(tried.Select(c => (Action)(() =>
            {
                SetConfig(members, c);
                Pass();
            })).ToList(), repeats);
            int best = current;
            for (int c = 0; c < tried.Count; c++)
            {
                progress?.Report(new TuningTrial(key, tried[c], times[c].Median, ++trial, trials));
                best = times[c].Median < times[best].Median ? c : best;
            }

            // The starting config stays unless the fastest beats it by more than both spreads: among many noisy
            // candidates the lowest median is often only the luckiest.
            if (times[best].Median + times[best].Spread + times[current].Spread >= times[current].Median)
            {
                best = current;
            }

            SetConfig(members, tried[best]);
            chosen[key] = tried[best];
        }

        return new TuningRecord { Machine = TuningRecord.CurrentMachine, Backend = input.Device.ToString(), Groups = chosen };
    }

    /// <summary>Sets each layer's config from a record. Layers must have run once so their group is known.</summary>
    public static void Apply(TuningRecord record, IReadOnlyList<Conv3d> layers)
    {
        foreach ((string key, IReadOnlyList<Conv3d> members) in Groups(layers))
        {
            if (record.Groups.TryGetValue(key, out ConvConfig? config))
            {
                SetConfig(members, config);
            }
        }
    }

    /// <summary>
    /// Median wall time of each action over <paramref name="repeats"/> rounds that run every action once in turn
    /// (each round from a different first action), after one warm-up round: a comparison that drifting machine load
    /// and periodic costs do not bias.
    /// </summary>
    public static TurnTimes[] InTurns(IReadOnlyList<Action> actions, int repeats)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        foreach (Action action in actions)
        {
            action();
        }

        var times = new double[actions.Count][];
        for (int a = 0; a < actions.Count; a++)
        {
            times[a] = new double[repeats];
        }

        for (int r = 0; r < repeats; r++)
        {
            // Each round starts one action later: a cost that recurs every few passes (a garbage collection every
            // so many allocations) would otherwise land on the same action every round.
            for (int turn = 0; turn < actions.Count; turn++)
            {
                int a = (r + turn) % actions.Count;
                long start = Stopwatch.GetTimestamp();
                actions[a]();
                times[a][r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }

        return [.. times.Select(t =>
        {
            Array.Sort(t);
            double median = t[repeats / 2];
            double[] deviations = [.. t.Select(v => Math.Abs(v - median)).Order()];
            return new TurnTimes(median, deviations[repeats / 2]);
        })];
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

    /// <summary>
    /// The layers by tuning group, in order of first appearance (<see cref="PointwiseGroup"/>, never tuned, holds the
    /// 1x1x1 layers). Layers must have run once so their group is known.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<Conv3d>> Groups(IReadOnlyList<Conv3d> layers)
    {
        var groups = new Dictionary<string, List<Conv3d>>();
        var order = new List<string>();
        foreach (Conv3d layer in layers)
        {
            string key = layer.LastInputStride is Int3 stride
                ? GroupKey(stride, layer.Geometry)
                : throw new InvalidOperationException(
                    "a layer has not run yet: run one forward pass before grouping layers for tuning.");
            if (!groups.TryGetValue(key, out List<Conv3d>? members))
            {
                groups[key] = members = [];
                order.Add(key);
            }

            members.Add(layer);
        }

        // An ordered copy: Dictionary enumeration order is not guaranteed once entries are removed.
        return order.ToDictionary(k => k, k => (IReadOnlyList<Conv3d>)groups[k]);
    }

    private static int IndexOf(IReadOnlyList<ConvConfig> configs, ConvConfig config)
    {
        for (int i = 0; i < configs.Count; i++)
        {
            if (configs[i] == config)
            {
                return i;
            }
        }

        throw new ArgumentException($"{config} is not among the candidates", nameof(config));
    }

    private static IReadOnlyList<ConvConfig> WithCurrent(IReadOnlyList<ConvConfig> candidates, ConvConfig current) =>
        candidates.Contains(current) ? candidates : [current, .. candidates];

    private static void SetConfig(IReadOnlyList<Conv3d> layers, ConvConfig config)
    {
        foreach (Conv3d layer in layers)
        {
            layer.Config = config;
        }
    }
}
