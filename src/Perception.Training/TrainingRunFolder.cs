using System.Globalization;
using System.Text;
using Perception.Datasets.Evaluation;
using Perception.Datasets.IO;
using Pvcnn;
using TorchSparse;
using TorchSparse.Checkpoints;

namespace Perception.Training;

/// <summary>
/// The folder of one training run: <c>config.yaml</c> (the resolved configuration), <c>log.csv</c> (one row per
/// epoch), <c>checkpoints/epoch-NNN.safetensors</c> (the model after each epoch, loadable by
/// <c>perception segment --model</c>) with its PyTorch twin <c>epoch-NNN.pt</c> ({"model": state_dict}, as spvnas
/// saves), and <c>resume.safetensors</c> (model, optimiser state and step counters) from
/// which <c>perception train --resume</c> continues exactly. Every file is written atomically.
/// </summary>
public sealed class TrainingRunFolder
{
    private const string ConfigFile = "config.yaml";
    private const string LogFile = "log.csv";
    private const string ResumeFile = "resume.safetensors";
    private const string ModelPrefix = "model/";
    private const string OptimizerPrefix = "optimizer/";

    private TrainingRunFolder(string path) => FolderPath = Path.GetFullPath(path);

    public string FolderPath { get; }

    public string LogPath => Path.Combine(FolderPath, LogFile);

    /// <summary>Starts a new run in <paramref name="path"/> (created when missing).</summary>
    /// <exception cref="IOException">The folder already holds a run (resume it or choose another folder).</exception>
    public static TrainingRunFolder Create(string path, TrainingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var run = new TrainingRunFolder(path);
        if (File.Exists(Path.Combine(run.FolderPath, ResumeFile)) || File.Exists(Path.Combine(run.FolderPath, ConfigFile)))
        {
            throw new IOException($"{run.FolderPath}: already holds a training run; continue it with --resume or choose another --out.");
        }

        Directory.CreateDirectory(Path.Combine(run.FolderPath, "checkpoints"));
        WriteText(Path.Combine(run.FolderPath, ConfigFile), config.ToYaml());
        return run;
    }

    /// <summary>Opens a run to continue it, with the configuration it was started with.</summary>
    /// <exception cref="IOException">The folder holds no run.</exception>
    public static (TrainingRunFolder Run, TrainingConfig Config) Open(string path)
    {
        var run = new TrainingRunFolder(path);
        string config = Path.Combine(run.FolderPath, ConfigFile);
        if (!File.Exists(config))
        {
            throw new IOException($"{run.FolderPath}: no {ConfigFile}; not a training run folder.");
        }

        return (run, TrainingConfig.Load(config));
    }

    /// <summary>Puts <paramref name="trainer"/> where the run stopped (nothing to do before the first epoch ends).</summary>
    public void Restore(Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        string path = Path.Combine(FolderPath, ResumeFile);
        if (!File.Exists(path))
        {
            return;
        }

        IReadOnlyDictionary<string, string> metadata = Safetensors.ReadMetadata(path);
        IReadOnlyDictionary<string, Tensor> tensors = TorchCheckpoint.Load(path);
        trainer.Restore(Section(tensors, ModelPrefix), Section(tensors, OptimizerPrefix),
            int.Parse(metadata["epochs"], CultureInfo.InvariantCulture),
            long.Parse(metadata["iterations"], CultureInfo.InvariantCulture), path);
    }

    /// <summary>Records a finished epoch: its checkpoint, the resume state and its log row.</summary>
    /// <returns>The path of the epoch's checkpoint.</returns>
    public string SaveEpoch(Trainer trainer, EpochSummary summary)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(summary);
        (IReadOnlyDictionary<string, Tensor> model, IReadOnlyDictionary<string, Tensor> optimizer) = trainer.State();
        var metadata = new Dictionary<string, string>(ModelMetadata.Of(trainer.Model))
        {
            ["epochs"] = trainer.CompletedEpochs.ToString(CultureInfo.InvariantCulture),
            ["iterations"] = trainer.Iterations.ToString(CultureInfo.InvariantCulture),
        };
        if (summary.Validation is IouReport report)
        {
            metadata["val_miou"] = report.MeanIou.ToString("R", CultureInfo.InvariantCulture);
        }

        string checkpoint = Path.Combine(FolderPath, "checkpoints", $"epoch-{summary.Epoch:D3}.safetensors");
        Safetensors.Save(checkpoint, model, metadata);

        // The same weights as spvnas saves them: torch.load(path)["model"] is the state dict. Strings only beside it,
        // since torch 1.13's weights_only loader refuses pickled floats.
        TorchCheckpoint.Save(Path.ChangeExtension(checkpoint, ".pt"), model, new TorchSaveOptions
        {
            Wrapper = "model",
            Metadata = metadata.ToDictionary(pair => pair.Key, pair => (object)pair.Value, StringComparer.Ordinal),
        });
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach ((string key, Tensor value) in model)
        {
            state[ModelPrefix + key] = value;
        }

        foreach ((string key, Tensor value) in optimizer)
        {
            state[OptimizerPrefix + key] = value;
        }

        Safetensors.Save(Path.Combine(FolderPath, ResumeFile), state, metadata);
        AppendLog(summary);
        return checkpoint;
    }

    private void AppendLog(EpochSummary summary)
    {
        // Rows past the resumed epoch (from a run that was stopped mid-way and resumed) are dropped.
        var lines = File.Exists(LogPath) ? File.ReadAllLines(LogPath).ToList() : [TrainingLog.Header];
        lines = [lines[0], .. lines.Skip(1).Where(line => TrainingLog.EpochOf(line) < summary.Epoch)];
        lines.Add(TrainingLog.Row(summary));
        WriteText(LogPath, string.Join('\n', lines) + "\n");
    }

    private static Dictionary<string, Tensor> Section(IReadOnlyDictionary<string, Tensor> tensors, string prefix) =>
        tensors.Where(pair => pair.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(pair => pair.Key[prefix.Length..], pair => pair.Value, StringComparer.Ordinal);

    private static void WriteText(string path, string text)
    {
        using AtomicFile file = AtomicFile.Create(path);
        file.Stream.Write(Encoding.UTF8.GetBytes(text));
        file.Commit();
    }
}
