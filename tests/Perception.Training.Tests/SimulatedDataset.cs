using Perception.Datasets.Simulation;

namespace Perception.Training.Tests;

/// <summary>A tiny SemanticKITTI-layout dataset from the simulator (two training scans, one validation scan),
/// written once per test class, and configs that train a narrow MinkUNet on it in seconds.</summary>
public sealed class SimulatedDataset : IDisposable
{
    public SimulatedDataset()
    {
        Root = Directory.CreateTempSubdirectory("perception-training-").FullName;
        new SimulatedDrive(seed: 3, scanCount: 2).WriteSequence(Path.Combine(Root, "sequences", "00"));
        new SimulatedDrive(seed: 4, scanCount: 1).WriteSequence(Path.Combine(Root, "sequences", "01"));
    }

    public string Root { get; }

    public string Folder(string name) => Path.Combine(Root, name);

    public TrainingConfig Config(int epochs = 2, int workers = 1, string model = "minkunet") => TrainingConfig.Parse($"""
        model:
          name: {model}
          cr: 0.125
        dataset:
          root: {Root}
          train_sequences: ["00"]
          val_sequences: ["01"]
          voxel_size: 0.4
          num_points: 3000
        num_epochs: {epochs}
        batch_size: 1
        train:
          seed: 11
          workers: {workers}
        criterion:
          name: cross_entropy+lovasz
        optimizer:
          name: sgd
          lr: 0.05
        """, "test.yaml");

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
