using TorchSparse.Conv;
using TorchSparse.Nn;
using TorchSparse.Tests.Ops;
using TorchSparse.Tuning;

namespace TorchSparse.Tests.Conv;

public class AutotunerTests
{
    [Fact]
    public void Groups_layers_by_shared_kernel_map_and_transposed_layers_join_their_downsample()
    {
        var g3 = new ConvGeometry(3);
        var down = new ConvGeometry(2, stride: 2);
        var up = new ConvGeometry(2, stride: 2) { Transposed = true };
        Assert.Equal(ConvAutotuner.GroupKey(Int3.One, g3), ConvAutotuner.GroupKey(Int3.One, new ConvGeometry(3)));
        Assert.NotEqual(ConvAutotuner.GroupKey(Int3.One, g3), ConvAutotuner.GroupKey(new Int3(2, 2, 2), g3));
        Assert.Equal(ConvAutotuner.GroupKey(Int3.One, down), ConvAutotuner.GroupKey(new Int3(2, 2, 2), up));
    }

    [Fact]
    public void Tune_picks_a_candidate_per_group_and_the_record_round_trips()
    {
        SparseTensor x = RandomClouds.Make(5, 600, 8);
        var a = new Conv3d(8, 8, 3, seed: 1);
        var b = new Conv3d(8, 8, 3, seed: 2);
        var d = new Conv3d(8, 8, 2, stride: 2, seed: 3);
        SparseTensor Forward(SparseTensor t) => d.Forward(b.Forward(a.Forward(t)));
        var trials = new List<TuningTrial>();
        TuningRecord record = ConvAutotuner.Tune(x, Forward, [a, b, d], repeats: 1,
            progress: new SyncProgress<TuningTrial>(trials.Add));

        Assert.Equal(2, record.Groups.Count);
        Assert.Equal(2 * TuningCandidates.Cpu.Count, trials.Count);
        Assert.Equal(a.Config, b.Config); // same kernel map, same choice
        Assert.Contains(a.Config, TuningCandidates.Cpu);

        string path = Path.Combine(Path.GetTempPath(), $"tune-{Guid.NewGuid():N}.json");
        try
        {
            record.Save(path);
            Assert.Empty(Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + ".tmp-*"));
            TuningRecord? loaded = TuningRecord.Load(path, x.Device.ToString());
            Assert.NotNull(loaded);
            Assert.Equal(record.Groups, loaded.Groups);
            Assert.Null(TuningRecord.Load(path, "cuda"));
            Assert.Null(TuningRecord.Load(path, x.Device.ToString(), model: "another model"));
            (record with { Model = "model a" }).Save(path);
            Assert.NotNull(TuningRecord.Load(path, x.Device.ToString(), model: "model a"));
            Assert.Null(TuningRecord.Load(path, x.Device.ToString(), model: "model b"));

            a.Config = b.Config = d.Config = ConvConfig.Default;
            ConvAutotuner.Apply(loaded, [a, b, d]);
            Assert.Equal(record.Groups[ConvAutotuner.GroupKey(Int3.One, a.Geometry)], a.Config);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Record_from_another_machine_is_not_applied()
    {
        string path = Path.Combine(Path.GetTempPath(), $"tune-{Guid.NewGuid():N}.json");
        try
        {
            new TuningRecord { Machine = "some other machine", Backend = "cpu", Groups = [] }.Save(path);
            Assert.Null(TuningRecord.Load(path, "cpu"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; tests need the reports in order, on this thread.</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
