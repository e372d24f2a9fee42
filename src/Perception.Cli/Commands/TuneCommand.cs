using System.CommandLine;
using Perception.Datasets.PointClouds;
using Pvcnn;
using Spectre.Console;
using TorchSparse;
using TorchSparse.Checkpoints;
using TorchSparse.Conv;
using TorchSparse.Gpu;
using TorchSparse.Nn;
using TorchSparse.Tuning;

namespace Perception.Cli.Commands;

/// <summary>
/// `perception tune`: chooses a dataflow (and, on generated-kernel backends, tiles and mask splits) per group of a
/// model's layers that share a kernel map, timed end to end on a real scan, and saves the choices for reuse.
/// </summary>
internal static class TuneCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Checkpoint (torch.save or safetensors), model-zoo folder, or SPVNAS net.config (default: the shipped minkunet-sim)." };
        var arch = new Option<string?>("--arch") { Description = "minkunet or spvcnn when the path does not say." };
        var input = new Option<string>("--input") { Description = "The scan to tune on (.bin, .pcd, .ply, .las): timings depend on its density, so use a typical one.", Required = true };
        Option<string> backend = BackendOption.Create("Where the model runs and is tuned.");
        var output = new Option<string?>("--out") { Description = "Tuning file (default: <model>.<backend>.tuning.json in the current folder). An existing file for this machine, backend and model is reloaded instead of tuning again." };
        var retune = new Option<bool>("--retune") { Description = "Tune again even when the file holds choices for this machine, backend and model." };
        var repeats = new Option<int>("--repeats") { Description = "Timed forward passes per candidate (the median counts).", DefaultValueFactory = _ => 5 };
        var trials = new Option<bool>("--trials") { Description = "Also print every candidate's time per group." };
        var threads = new Option<int>("--threads") { Description = "CPU threads (default: all).", DefaultValueFactory = _ => 0 };
        var command = new Command("tune", "Autotune a model's sparse convolutions on a scan: the chosen configuration per layer group and the end-to-end gain over the defaults.")
        {
            model, arch, input, backend, output, retune, repeats, trials, threads,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            int timedPasses = parse.GetValue(repeats);
            if (timedPasses < 1)
            {
                throw new ArgumentException($"--repeats must be at least 1; got {timedPasses}.");
            }

            Device.CpuThreads = parse.GetValue(threads);
            string modelPath = parse.GetValue(model) ?? ShippedModel.FilePath;
            string backendName = parse.GetValue(backend)!;
            string file = parse.GetValue(output) ?? $"{Path.GetFileNameWithoutExtension(modelPath.TrimEnd('/'))}.{backendName}.tuning.json";
            CliErrors.RequireOutputFolder(file, "--out");
            float[] points = PointCloudFile.Read(parse.GetValue(input)!);
            SegmentationModel loaded = PvcnnModels.Load(modelPath, parse.GetValue(arch), new CheckpointOptions())
                .To(BackendOption.Open(backendName));
            return Run(loaded, Path.GetFileName(modelPath.TrimEnd('/')), points, file, parse.GetValue(retune), timedPasses,
                parse.GetValue(trials));
        }));
        return command;
    }

    private static int Run(
        SegmentationModel model, string modelName, float[] points, string file, bool retune, int repeats, bool showTrials)
    {
        SparseTensor input = SemanticSegmenter.Voxelize(points, model.VoxelSize).Input.CopyTo(model.Device);
        string identity = $"{modelName} ({model.Architecture}, {model.ParameterCount} parameters)";
        string backend = model.Device.ToString();
        IReadOnlyList<Conv3d> layers = model.ConvLayers;
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(identity)}[/] on {Markup.Escape(backend)}: {points.Length / 4:N0} points, {input.Count:N0} voxels.");

        // The first pass builds the kernel maps (and compiles kernels), which also tells each layer its group.
        AnsiConsole.Status().Start("first pass: kernel maps and kernels", _ => Pass(model, input));
        IReadOnlyDictionary<string, IReadOnlyList<Conv3d>> groups = ConvAutotuner.Groups(layers);
        ConvConfig[] defaults = [.. layers.Select(l => l.Config)];

        TuningRecord? record = retune ? null : TuningRecord.Load(file, backend, identity);
        bool reloaded = record is not null;
        if (record is null)
        {
            var measured = new List<TuningTrial>();
            record = Tune(model.Device, input, x => model.Forward(x), layers, groups, repeats, measured) with { Model = identity };
            record.Save(file);
            if (showTrials)
            {
                AnsiConsole.Write(Trials(measured));
            }
        }

        // Default and tuned in turns, so both see the same machine load.
        TurnTimes[] ms = [];
        AnsiConsole.Status().Start("timing the default and the tuned configurations", _ => ms = ConvAutotuner.InTurns(
        [
            () =>
            {
                for (int i = 0; i < layers.Count; i++)
                {
                    layers[i].Config = defaults[i];
                }

                Pass(model, input);
            },
            () =>
            {
                ConvAutotuner.Apply(record, layers);
                Pass(model, input);
            },
        ], repeats));
        AnsiConsole.Write(Choices(groups, record));
        AnsiConsole.MarkupLine(reloaded
            ? $"Reloaded the choices in [link]{Markup.Escape(Path.GetFullPath(file))}[/] (same machine, backend and model): nothing re-tuned; --retune tunes again."
            : $"Saved to [link]{Markup.Escape(Path.GetFullPath(file))}[/].");
        AnsiConsole.MarkupLine(
            $"End to end (median of {repeats}): default {ms[0].Median:F1} ms (± {ms[0].Spread:F1}), tuned {ms[1].Median:F1} ms (± {ms[1].Spread:F1}): [bold]{ms[0].Median / ms[1].Median:F2}x[/] the default's speed.");
        return 0;
    }

    private static void Pass(SegmentationModel model, SparseTensor input)
    {
        model.Forward(input);
        model.Device.Synchronize();
    }

    private static TuningRecord Tune(
        Device device, SparseTensor input, Func<SparseTensor, Tensor> forward, IReadOnlyList<Conv3d> layers,
        IReadOnlyDictionary<string, IReadOnlyList<Conv3d>> groups, int repeats, List<TuningTrial> measured)
    {
        IReadOnlyList<ConvConfig> candidates = device.Kind == DeviceKind.Cpu ? TuningCandidates.Cpu : GeneratedTilings.TuningCandidates;
        TuningRecord record = null!;
        AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
            new RemainingTimeColumn()).Start(progress =>
        {
            ProgressTask task = progress.AddTask($"tuning {groups.Count(g => g.Key != ConvAutotuner.PointwiseGroup)} layer groups");
            record = ConvAutotuner.Tune(input, x =>
            {
                forward(x);
                return x;
            }, layers, repeats, candidates, new SyncProgress(trial =>
            {
                measured.Add(trial);
                task.MaxValue = trial.Trials;
                task.Value = trial.Trial;
            }));
        });
        return record;
    }

    private static Table Choices(IReadOnlyDictionary<string, IReadOnlyList<Conv3d>> groups, TuningRecord record)
    {
        var table = new Table().AddColumns("layer group (shares one kernel map)", "layers", "chosen configuration");
        foreach ((string key, IReadOnlyList<Conv3d> members) in groups)
        {
            string choice = record.Groups.TryGetValue(key, out ConvConfig? config) ? config.ToString() : "dense GEMM (nothing to tune)";
            table.AddRow(Markup.Escape(key), members.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(choice));
        }

        return table;
    }

    private static Table Trials(IReadOnlyList<TuningTrial> trials)
    {
        var table = new Table().AddColumns("layer group", "candidate", "forward pass (median ms)");
        foreach (TuningTrial t in trials)
        {
            table.AddRow(Markup.Escape(t.Group), Markup.Escape(t.Config.ToString()),
                t.MedianMilliseconds.ToString("F2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return table;
    }

    /// <summary>Reports on the tuner's thread (Progress&lt;T&gt; would post to a thread pool, out of order).</summary>
    private sealed class SyncProgress(Action<TuningTrial> report) : IProgress<TuningTrial>
    {
        public void Report(TuningTrial value) => report(value);
    }
}
