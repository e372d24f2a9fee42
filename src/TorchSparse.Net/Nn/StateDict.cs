namespace TorchSparse.Nn;

/// <summary>
/// One tensor a model keeps in a state dict: its key, its shape, how to read its current value and where a loaded
/// value goes. Buffers (BatchNorm running statistics, counters) load like parameters but are not counted as
/// parameters.
/// </summary>
public sealed record NamedParameter(string Name, int[] Shape, Func<Tensor> Read, Action<Tensor> Assign)
{
    /// <summary>A running statistic or counter rather than a learned weight.</summary>
    public bool IsBuffer { get; init; }

    /// <summary>May be absent from a checkpoint (PyTorch accepts BatchNorm's num_batches_tracked missing).</summary>
    public bool Optional { get; init; }

    /// <summary>Element type the model stores; float16 checkpoint values are accepted for float32 parameters.</summary>
    public DType DType { get; init; } = DType.Float32;

    /// <summary>Number of elements.</summary>
    public long Count => Shape.Aggregate(1L, (n, d) => n * d);
}

/// <summary>How <see cref="StateDictLoader.Load"/> treats keys that do not match the model.</summary>
public sealed record StateDictOptions
{
    /// <summary>When true (the default), any missing, unexpected or mis-shaped key fails the load and nothing is
    /// assigned. When false, matching keys load and the report lists the rest.</summary>
    public bool Strict { get; init; } = true;

    /// <summary>Key prefixes the model knows it does not use (MinkUNet's point_transforms); never reported.</summary>
    public IReadOnlyList<string> IgnoredPrefixes { get; init; } = [];
}

/// <summary>A key whose tensor has another shape (or element type) than the model's parameter.</summary>
public sealed record ShapeMismatch(string Name, int[] Expected, int[] Actual, DType ExpectedDType, DType ActualDType)
{
    public override string ToString() =>
        $"{Name}: expected {Text(ExpectedDType, Expected)}, checkpoint has {Text(ActualDType, Actual)}";

    private static string Text(DType dtype, int[] shape) => $"{dtype.ToString().ToLowerInvariant()} [{string.Join(", ", shape)}]";
}

/// <summary>What a state-dict load matched and what it did not.</summary>
public sealed record StateDictReport(
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected,
    IReadOnlyList<ShapeMismatch> Mismatched,
    IReadOnlyList<string> Ignored)
{
    public bool IsExactMatch => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;
}

/// <summary>A strict load found keys that do not fit the model; <see cref="Report"/> lists every one.</summary>
public sealed class StateDictMismatchException(StateDictReport report, string? source)
    : SparseEngineException(Describe(report, source))
{
    public StateDictReport Report { get; } = report;

    private static string Describe(StateDictReport r, string? source)
    {
        const int Shown = 8;
        var parts = new List<string>();
        Add("missing", r.Missing.Select(m => m));
        Add("unexpected", r.Unexpected.Select(u => u));
        Add("wrong shape", r.Mismatched.Select(m => m.ToString()));
        string where = source is null ? "state dict" : $"'{source}'";
        return $"{where} does not fit the model: {string.Join("; ", parts)}";

        void Add(string what, IEnumerable<string> items)
        {
            string[] all = items.ToArray();
            if (all.Length > 0)
            {
                string more = all.Length > Shown ? $" and {all.Length - Shown} more" : string.Empty;
                parts.Add($"{all.Length} {what} ({string.Join(", ", all.Take(Shown))}{more})");
            }
        }
    }
}

/// <summary>Assigns a state dict (from <c>TorchCheckpoint.Load</c> or safetensors) to a model's parameters.</summary>
public static class StateDictLoader
{
    /// <summary>
    /// Matches <paramref name="stateDict"/> to <paramref name="parameters"/> by key and shape. Float16 values are
    /// widened to float32. Strict loads are all-or-nothing.
    /// </summary>
    /// <param name="parameters">What the model expects.</param>
    /// <param name="stateDict">Tensors by key, as a checkpoint reader returns them.</param>
    /// <param name="options">Strictness and known unused keys.</param>
    /// <param name="source">The file the state dict came from, named in errors.</param>
    /// <exception cref="StateDictMismatchException">Strict load with missing, unexpected or mis-shaped keys.</exception>
    public static StateDictReport Load(
        IEnumerable<NamedParameter> parameters,
        IReadOnlyDictionary<string, Tensor> stateDict,
        StateDictOptions? options = null,
        string? source = null)
    {
        options ??= new StateDictOptions();
        var expected = new Dictionary<string, NamedParameter>(StringComparer.Ordinal);
        foreach (NamedParameter p in parameters)
        {
            if (!expected.TryAdd(p.Name, p))
            {
                throw new InvalidOperationException($"model declares parameter '{p.Name}' twice.");
            }
        }

        var missing = new List<string>();
        var mismatched = new List<ShapeMismatch>();
        var matched = new List<(NamedParameter Parameter, Tensor Value)>();
        foreach (NamedParameter p in expected.Values)
        {
            if (!stateDict.TryGetValue(p.Name, out Tensor? value))
            {
                if (!p.Optional)
                {
                    missing.Add(p.Name);
                }
            }
            else if (!value.Shape.AsSpan().SequenceEqual(p.Shape) || !Compatible(p.DType, value.DType))
            {
                mismatched.Add(new ShapeMismatch(p.Name, p.Shape, value.Shape, p.DType, value.DType));
            }
            else
            {
                matched.Add((p, value));
            }
        }

        var unexpected = new List<string>();
        var ignored = new List<string>();
        foreach (string key in stateDict.Keys.Order(StringComparer.Ordinal))
        {
            if (expected.ContainsKey(key))
            {
                continue;
            }

            bool known = options.IgnoredPrefixes.Any(prefix => key.StartsWith(prefix, StringComparison.Ordinal));
            (known ? ignored : unexpected).Add(key);
        }

        var report = new StateDictReport(missing, unexpected, mismatched, ignored);
        if (options.Strict && !report.IsExactMatch)
        {
            throw new StateDictMismatchException(report, source);
        }

        foreach ((NamedParameter p, Tensor value) in matched)
        {
            p.Assign(value.DType == DType.Float16 ? value.To(DType.Float32) : value);
        }

        return report;
    }

    private static bool Compatible(DType expected, DType actual) =>
        expected == actual || (expected == DType.Float32 && actual == DType.Float16);
}
