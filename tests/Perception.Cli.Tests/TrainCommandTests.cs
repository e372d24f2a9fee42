namespace Perception.Cli.Tests;

/// <summary>`perception train` end to end on a simulated dataset: a run folder with its log and checkpoints, a resume
/// of a finished run that has nothing left to do, and configs it refuses by key.</summary>
[Collection("cli")]
public sealed class TrainCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("perception-train-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Trains_checkpoints_and_resumes()
    {
        Assert.Equal(0, Program.Run(["simulate", "--out", folder, "--sequences", "00,01", "--scans", "1", "--seed", "5"]));
        string config = Config("""
            dataset:
              root: .
              train_sequences: ["00"]
              val_sequences: ["01"]
              voxel_size: 0.4
              num_points: 2000
            model:
              cr: 0.125
            num_epochs: 2
            batch_size: 1
            """);
        string run = Path.Combine(folder, "run");

        Assert.Equal(0, Program.Run(["train", "--config", config, "--out", run, "--threads", "2"]));

        string[] log = File.ReadAllLines(Path.Combine(run, "log.csv"));
        Assert.Equal(3, log.Length);
        Assert.StartsWith("epoch,iterations,learning_rate,train_loss", log[0], StringComparison.Ordinal);
        Assert.StartsWith("2,2,", log[2], StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "epoch-002.safetensors")));
        string predictions = Path.Combine(folder, "p.label");
        Assert.Equal(0, Program.Run(["segment", "--model", Path.Combine(run, "checkpoints", "epoch-002.safetensors"),
            "--input", Path.Combine(folder, "sequences", "01", "velodyne", "000000.bin"), "--output", predictions,
            "--picture", Path.Combine(folder, "p.png")]));
        Assert.Equal(new FileInfo(Path.Combine(folder, "sequences", "01", "velodyne", "000000.bin")).Length / 4, new FileInfo(predictions).Length);

        Assert.Equal(0, Program.Run(["train", "--resume", run]));
        Assert.Equal(log, File.ReadAllLines(Path.Combine(run, "log.csv")));
        Assert.Equal(2, Program.Run(["train", "--config", config, "--out", run]));
    }

    [Theory]
    [InlineData("num_epochs: 0")]
    [InlineData("optimizer:\n  name: rmsprop")]
    [InlineData("epochs: 3")]
    public void A_bad_config_fails_before_any_work(string yaml)
    {
        string config = Config("dataset:\n  root: .\n" + yaml);
        Assert.Equal(2, Program.Run(["train", "--config", config, "--out", Path.Combine(folder, "bad")]));
        Assert.False(Directory.Exists(Path.Combine(folder, "bad")));
    }

    [Fact]
    public void Config_and_resume_are_exclusive() =>
        Assert.Equal(2, Program.Run(["train", "--config", "a.yaml", "--resume", "b"]));

    private string Config(string yaml)
    {
        string path = Path.Combine(folder, $"c{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }
}
