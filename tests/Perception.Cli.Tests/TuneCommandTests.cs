using Pvcnn;
using Pvcnn.Tests;
using TorchSparse.Checkpoints;
using TorchSparse.Conv;
using TorchSparse.Gpu;
using TorchSparse.Tuning;

namespace Perception.Cli.Tests;

/// <summary>
/// `perception tune` end to end on a small MinkUNet: one choice per layer group of the architecture, each one of
/// the backend's candidates (or the default it started from), saved for this machine, backend and model, and
/// reloaded on the next run without tuning again.
/// </summary>
public sealed class TuneCommandTests : IDisposable
{
    /// <summary>MinkUNet's groups, from its architecture: a 3x3x3 submanifold map at each of the five strides and a
    /// 2x2x2 stride-2 map below each of the four lower ones (the decoder's transposed convs reuse those).</summary>
    private static readonly string[] MinkUNetGroups =
    [
        "subm k=3 d=1 @1", "subm k=3 d=1 @2", "subm k=3 d=1 @4", "subm k=3 d=1 @8", "subm k=3 d=1 @16",
        "down k=2 s=2 d=1 p=0 TorchSparse @1", "down k=2 s=2 d=1 p=0 TorchSparse @2",
        "down k=2 s=2 d=1 p=0 TorchSparse @4", "down k=2 s=2 d=1 p=0 TorchSparse @8",
    ];

    private readonly string folder = Directory.CreateTempSubdirectory("perception-tune-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("cpu", 7020)]
    [InlineData("opencl", 1500)]
    public void Tunes_each_layer_group_once_and_reloads_the_choices(string backend, int points)
    {
        string model = SmallModel();
        string scan = Scan(points);
        string record = Path.Combine(folder, "choices.json");
        string[] tune = ["tune", "--model", model, "--arch", "minkunet", "--input", scan, "--backend", backend,
            "--repeats", "1", "--out", record];

        Assert.Equal(0, Program.Run(tune));

        TuningRecord? saved = TuningRecord.Load(record, Backend(backend), $"small.safetensors (minkunet, {Load(model).ParameterCount} parameters)");
        Assert.NotNull(saved);
        Assert.Equal(MinkUNetGroups.Order(), saved.Groups.Keys.Order());
        IReadOnlyList<ConvConfig> candidates = backend == "cpu" ? TuningCandidates.Cpu : GeneratedTilings.TuningCandidates;
        Assert.All(saved.Groups.Values, c => Assert.True(candidates.Contains(c) || c == ConvConfig.Default, $"{c} was not a candidate"));

        byte[] first = File.ReadAllBytes(record);
        DateTime written = File.GetLastWriteTimeUtc(record);
        Assert.Equal(0, Program.Run(tune));
        Assert.Equal(first, File.ReadAllBytes(record));
        Assert.Equal(written, File.GetLastWriteTimeUtc(record));
    }

    [Fact]
    public void A_record_for_another_model_is_tuned_again()
    {
        string record = Path.Combine(folder, "choices.json");
        string scan = Scan(2000);
        new TuningRecord { Machine = TuningRecord.CurrentMachine, Backend = "cpu", Groups = [], Model = "another model" }.Save(record);

        Assert.Equal(0, Program.Run(["tune", "--model", SmallModel(), "--arch", "minkunet", "--input", scan, "--repeats", "1", "--out", record]));

        Assert.Equal(MinkUNetGroups.Length, TuningRecord.Load(record, "cpu")!.Groups.Count);
    }

    [Theory]
    [InlineData("--repeats", "0", 2)]
    [InlineData("--backend", "cuda", 1)]
    [InlineData("--out", "/no/such/folder/choices.json", 2)]
    public void Bad_options_are_clear_errors(string option, string value, int code) =>
        Assert.Equal(code, Program.Run(["tune", "--model", SmallModel(), "--arch", "minkunet", "--input", Scan(500), option, value]));

    [Fact]
    public void A_missing_scan_is_a_clear_error() =>
        Assert.Equal(2, Program.Run(["tune", "--model", SmallModel(), "--arch", "minkunet", "--input", Path.Combine(folder, "none.bin")]));

    private static string Backend(string name) =>
        name == "cpu" ? TorchSparse.Device.Cpu.ToString() : TorchSparse.Gpu.OpenCl.OpenClDevices.Open().ToString();

    private static SegmentationModel Load(string path) => PvcnnModels.Load(path, "minkunet");

    /// <summary>A narrow MinkUNet (8 channels per stage), so that tuning it on PoCL takes seconds.</summary>
    private string SmallModel()
    {
        string path = Path.Combine(folder, "small.safetensors");
        if (!File.Exists(path))
        {
            Safetensors.Save(path, new MinkUNet([8, 8, 8, 8, 8, 8, 8, 8, 8]).StateDict());
        }

        return path;
    }

    /// <summary>The first <paramref name="points"/> points of the fixture scan, as a KITTI .bin file.</summary>
    private string Scan(int points)
    {
        string path = Path.Combine(folder, $"scan{points}.bin");
        byte[] all = File.ReadAllBytes(ModelFixtures.PathOf("scene.bin"));
        File.WriteAllBytes(path, all[..Math.Min(all.Length, points * 16)]);
        return path;
    }
}
