using Pvcnn;
using TorchSparse;
using TorchSparse.Checkpoints;

namespace Perception.Training.Tests;

/// <summary>A run on simulated scans: batches do not depend on the worker count, a resumed run ends bit for bit where
/// an uninterrupted one does, and an epoch checkpoint (safetensors, and its torch.save
/// twin) is a model <c>perception segment</c> can load.</summary>
public sealed class TrainerTests(SimulatedDataset data) : IClassFixture<SimulatedDataset>
{
    [Fact]
    public void Batches_do_not_depend_on_the_worker_count()
    {
        TrainingBatch[] one = [.. Loader(workers: 1).Epoch(1)];
        TrainingBatch[] three = [.. Loader(workers: 3).Epoch(1)];
        Assert.Equal(one.Length, three.Length);
        for (int i = 0; i < one.Length; i++)
        {
            Assert.Equal(one[i].Input.Coords.ToArray<int>(), three[i].Input.Coords.ToArray<int>());
            Assert.Equal(one[i].Input.Feats.ToArray<float>(), three[i].Input.Feats.ToArray<float>());
            Assert.Equal(one[i].Targets.ToArray<long>(), three[i].Targets.ToArray<long>());
        }
    }

    [Fact]
    public void Epochs_shuffle_differently()
    {
        BatchLoader loader = Loader(workers: 1);
        Assert.NotEqual(loader.Epoch(0).First().Input.Feats.ToArray<float>(), loader.Epoch(1).First().Input.Feats.ToArray<float>());
    }

    [Theory]
    [InlineData("minkunet")]
    [InlineData("spvcnn")]
    public void A_resumed_run_ends_exactly_where_an_uninterrupted_one_does(string model)
    {
        string straight = data.Folder("straight-" + model), resumed = data.Folder("resumed-" + model);
        TrainingConfig config = data.Config(epochs: 2, model: model);
        Train(TrainingRunFolder.Create(straight, config), config, epochs: 2);
        Train(TrainingRunFolder.Create(resumed, config), config, epochs: 1);
        (TrainingRunFolder run, TrainingConfig reopened) = TrainingRunFolder.Open(resumed);
        Assert.Equal(1, Train(run, reopened, epochs: 1));

        IReadOnlyDictionary<string, Tensor> a = TorchCheckpoint.Load(Path.Combine(straight, "resume.safetensors"));
        IReadOnlyDictionary<string, Tensor> b = TorchCheckpoint.Load(Path.Combine(resumed, "resume.safetensors"));
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        Assert.Contains(a.Keys, k => k.StartsWith("optimizer/", StringComparison.Ordinal));
        foreach (string key in a.Keys)
        {
            Assert.True(Same(a[key], b[key]), $"{key} differs after resuming");
        }

        string[] logA = File.ReadAllLines(Path.Combine(straight, "log.csv")), logB = File.ReadAllLines(Path.Combine(resumed, "log.csv"));
        Assert.Equal(3, logB.Length);
        Assert.Equal(logA.Select(LossColumns), logB.Select(LossColumns));
    }

    [Fact]
    public void An_epoch_checkpoint_loads_as_the_trained_model()
    {
        TrainingConfig config = data.Config(epochs: 1);
        TrainingRunFolder run = TrainingRunFolder.Create(data.Folder("checkpoint"), config);
        var trainer = new Trainer(config);
        string checkpoint = run.SaveEpoch(trainer, trainer.TrainEpoch());

        SegmentationModel loaded = PvcnnModels.Load(checkpoint);
        IReadOnlyDictionary<string, Tensor> torchTwin = TorchCheckpoint.Load(Path.ChangeExtension(checkpoint, ".pt"));
        IReadOnlyDictionary<string, Tensor> saved = TorchCheckpoint.Load(checkpoint);
        Assert.Equal(saved.Keys.Order(), torchTwin.Keys.Order());
        Assert.All(saved, pair => Assert.True(Same(pair.Value, torchTwin[pair.Key]), pair.Key));
        Assert.Equal("minkunet", loaded.Architecture);
        Assert.Equal(0.4f, loaded.VoxelSize);
        float[] scan = [.. Enumerable.Range(0, 4000).Select(i => (float)((i * 7919 % 1000) / 50.0))];
        Assert.Equal(new SemanticSegmenter(trainer.Model).Segment(scan).VoxelLogits.ToArray<float>(),
            new SemanticSegmenter(loaded).Segment(scan).VoxelLogits.ToArray<float>());
    }

    [Fact]
    public void A_folder_that_holds_a_run_is_not_started_over()
    {
        TrainingConfig config = data.Config();
        TrainingRunFolder.Create(data.Folder("twice"), config);
        Assert.Throws<IOException>(() => TrainingRunFolder.Create(data.Folder("twice"), config));
    }

    private BatchLoader Loader(int workers)
    {
        TrainingConfig config = data.Config(workers: workers);
        return new BatchLoader(FrameScorer.ListFrames(data.Root, ["00"]), config);
    }

    /// <summary>Trains up to <paramref name="epochs"/> more epochs of the run; returns the epochs it had before.</summary>
    private static int Train(TrainingRunFolder run, TrainingConfig config, int epochs)
    {
        var trainer = new Trainer(config);
        run.Restore(trainer);
        int before = trainer.CompletedEpochs;
        for (int e = 0; e < epochs; e++)
        {
            run.SaveEpoch(trainer, trainer.TrainEpoch());
        }

        return before;
    }

    private static bool Same(Tensor a, Tensor b) => a.DType == b.DType && a.Shape.AsSpan().SequenceEqual(b.Shape)
        && (a.DType == DType.Int64 ? a.ToArray<long>().SequenceEqual(b.ToArray<long>()) : a.ToArray<float>().SequenceEqual(b.ToArray<float>()));

    // epoch, iterations, learning rate, loss; then the validation scores (speed and time columns differ run to run).
    private static string LossColumns(string line)
    {
        string[] cells = line.Split(',');
        return string.Join(',', cells[..4].Concat(cells[6..]));
    }
}
