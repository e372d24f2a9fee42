using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Perception.Training;

/// <summary>
/// A training run as spvnas configures one (configs/semantic_kitti/default.yaml and its model files merged into one
/// YAML file): the model, the dataset and its pipeline, the augmentations, the schedule. Keys are snake_case as
/// there; unknown keys are errors, so a typo never silently trains with a default.
/// </summary>
public sealed class TrainingConfig
{
    public ModelSection Model { get; set; } = new();

    public DatasetSection Dataset { get; set; } = new();

    public AugmentSection Augment { get; set; } = new();

    public int NumEpochs { get; set; } = 15;

    /// <summary>Scans per optimiser step.</summary>
    public int BatchSize { get; set; } = 2;

    public TrainSection Train { get; set; } = new();

    public CriterionSection Criterion { get; set; } = new();

    public OptimizerSection Optimizer { get; set; } = new();

    public SchedulerSection Scheduler { get; set; } = new();

    /// <summary>Reads and checks a configuration file; a relative dataset root is taken from the file's folder.</summary>
    /// <exception cref="TrainingConfigException">The file is not valid YAML, has an unknown key, or a value is out
    /// of range; the message names the file and the key (and the line for syntax errors).</exception>
    public static TrainingConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new TrainingConfigException($"{path}: no such configuration file.");
        }

        TrainingConfig config = Parse(File.ReadAllText(path), path);
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        config.Dataset.Root = Path.GetFullPath(Path.Combine(folder, config.Dataset.Root));
        return config;
    }

    /// <summary>Parses a configuration; <paramref name="sourceName"/> stands for the file in errors.</summary>
    public static TrainingConfig Parse(string yaml, string sourceName)
    {
        IDeserializer deserializer = new DeserializerBuilder()
            .WithNamingConvention(UnderscoredNamingConvention.Instance)
            .Build();
        TrainingConfig config;
        try
        {
            config = deserializer.Deserialize<TrainingConfig?>(yaml) ?? new TrainingConfig();
        }
        catch (YamlException e)
        {
            string reason = (e.InnerException ?? e).Message;
            throw new TrainingConfigException($"{sourceName} line {e.Start.Line}: {Clean(reason)}", e);
        }

        config.Validate(sourceName);
        return config;
    }

    /// <summary>The configuration as YAML, as <see cref="Parse"/> reads it back (saved next to every run).</summary>
    public string ToYaml() => new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build()
        .Serialize(this);

    private void Validate(string source)
    {
        ConfigChecks checks = new(source);
        Model.Validate(checks);
        Dataset.Validate(checks);
        Augment.Validate(checks);
        checks.Require(NumEpochs >= 1, "num_epochs", NumEpochs, "at least 1");
        checks.Require(BatchSize >= 1, "batch_size", BatchSize, "at least 1");
        Train.Validate(checks);
        Criterion.Validate(checks);
        Optimizer.Validate(checks);
        Scheduler.Validate(checks);
    }

    // YamlDotNet names C# types in its messages; keep only the part about the key.
    private static string Clean(string message) =>
        message.Contains("not found on type", StringComparison.Ordinal)
            ? message[..message.IndexOf(" not found on type", StringComparison.Ordinal)].Replace("Property", "unknown key", StringComparison.Ordinal)
            : message;
}

/// <summary>Range checks that name the offending key and file.</summary>
internal sealed class ConfigChecks(string source)
{
    public void Require(bool condition, string key, object? value, string expected)
    {
        if (!condition)
        {
            string shown = value is null or "" ? "missing" : $"{value}";
            throw new TrainingConfigException($"{source}: {key} is {shown}; expected {expected}.");
        }
    }
}
