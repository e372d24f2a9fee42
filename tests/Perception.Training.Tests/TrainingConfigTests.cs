namespace Perception.Training.Tests;

/// <summary>Configs parse with spvnas's keys, and every bad value is refused naming the file and the key.</summary>
public sealed class TrainingConfigTests
{
    private const string Valid = """
        model:
          name: minkunet
          cr: 0.5
        dataset:
          root: data
          train_sequences: ["00", "01"]
          val_sequences: ["08"]
          voxel_size: 0.05
          num_points: 80000
        num_epochs: 15
        batch_size: 2
        optimizer:
          name: sgd
          lr: 0.24
          momentum: 0.9
          nesterov: true
          weight_decay: 1.0e-4
        scheduler:
          name: cosine_warmup
        """;

    [Fact]
    public void Spvnas_keys_parse()
    {
        TrainingConfig config = TrainingConfig.Parse(Valid, "a.yaml");
        Assert.Equal(0.5, config.Model.Cr);
        Assert.Equal(["00", "01"], config.Dataset.TrainSequences);
        Assert.Equal(80000, config.Dataset.NumPoints);
        Assert.Equal(0.24, config.Optimizer.Lr);
        Assert.True(config.Optimizer.Nesterov);
        Assert.True(config.Augment.Rotate);
    }

    [Fact]
    public void Saved_yaml_reads_back_to_the_same_config()
    {
        TrainingConfig config = TrainingConfig.Parse(Valid, "a.yaml");
        Assert.Equal(config.ToYaml(), TrainingConfig.Parse(config.ToYaml(), "b.yaml").ToYaml());
    }

    [Theory]
    [InlineData("num_epochs: 0", "num_epochs")]
    [InlineData("batch_size: -1", "batch_size")]
    [InlineData("model:\n  cr: 0", "model.cr")]
    [InlineData("model:\n  name: resnet", "model.name")]
    [InlineData("dataset:\n  root: d\n  voxel_size: 0", "dataset.voxel_size")]
    [InlineData("optimizer:\n  name: lbfgs", "optimizer.name")]
    [InlineData("optimizer:\n  lr: -1", "optimizer.lr")]
    [InlineData("scheduler:\n  name: poly", "scheduler.name")]
    [InlineData("criterion:\n  name: focal", "criterion.name")]
    [InlineData("augment:\n  scale_min: 2", "augment.scale_min")]
    public void Out_of_range_values_name_their_key(string change, string key)
    {
        string yaml = Valid + "\n" + change;
        var e = Assert.Throws<TrainingConfigException>(() => TrainingConfig.Parse(Replace(yaml, change), "a.yaml"));
        Assert.Contains("a.yaml", e.Message, StringComparison.Ordinal);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Absent_dataset_root_is_called_missing() =>
        Assert.Contains("dataset.root is missing", Assert.Throws<TrainingConfigException>(() => TrainingConfig.Parse("num_epochs: 3", "a.yaml")).Message,
            StringComparison.Ordinal);

    [Fact]
    public void Unknown_key_is_refused_with_its_line()
    {
        var e = Assert.Throws<TrainingConfigException>(() => TrainingConfig.Parse(Valid + "\nnum_epoch: 3", "a.yaml"));
        Assert.Contains("a.yaml line 20", e.Message, StringComparison.Ordinal);
        Assert.Contains("num_epoch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shipped_models_config_is_valid()
    {
        string path = Path.Combine(RepositoryRoot(), "models", "minkunet-sim", "config.yaml");
        TrainingConfig config = TrainingConfig.Load(path);
        Assert.Equal(Path.Combine(RepositoryRoot(), "data", "sim"), config.Dataset.Root);
        Assert.DoesNotContain(config.Dataset.ValSequences, config.Dataset.TrainSequences.Contains);
    }

    [Fact]
    public void Missing_file_is_named() =>
        Assert.Contains("nope.yaml", Assert.Throws<TrainingConfigException>(() => TrainingConfig.Load("nope.yaml")).Message,
            StringComparison.Ordinal);

    [Fact]
    public void Relative_root_is_taken_from_the_config_folder()
    {
        string folder = Directory.CreateTempSubdirectory().FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "c.yaml"), Valid);
            Assert.Equal(Path.Combine(folder, "data"), TrainingConfig.Load(Path.Combine(folder, "c.yaml")).Dataset.Root);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        string? folder = AppContext.BaseDirectory;
        while (folder is not null && !File.Exists(Path.Combine(folder, "Perception.sln")))
        {
            folder = Path.GetDirectoryName(folder);
        }

        return folder ?? throw new DirectoryNotFoundException("no Perception.sln above the test binaries.");
    }

    // The changed key replaces the valid file's own top-level section, so the YAML has no duplicate keys.
    private static string Replace(string yaml, string change)
    {
        string section = change.Split(':')[0];
        string[] lines = Valid.Split('\n');
        int start = Array.FindIndex(lines, l => l.StartsWith(section + ":", StringComparison.Ordinal));
        if (start < 0)
        {
            return yaml;
        }

        int end = start + 1;
        while (end < lines.Length && lines[end].StartsWith(' '))
        {
            end++;
        }

        return string.Join('\n', lines[..start].Concat(lines[end..])) + "\n" + change;
    }
}
