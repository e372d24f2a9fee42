using System.CommandLine;
using Perception.Datasets.Evaluation;
using Perception.Training;
using Spectre.Console;
using TorchSparse;

namespace Perception.Cli.Commands;

/// <summary>`perception train`: trains a segmentation model from a YAML config, or resumes a run.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "Training configuration (YAML, spvnas-style keys; see configs/)." };
        var output = new Option<string?>("--out") { Description = "Run folder for config, log.csv and checkpoints (default: runs/<config name>)." };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder exactly where its last finished epoch left off." };
        var threads = new Option<int>("--threads") { Description = "CPU threads (default: all).", DefaultValueFactory = _ => 0 };
        var command = new Command("train", "Train a segmentation model on a SemanticKITTI-layout dataset (real or simulated).")
        {
            config, output, resume, threads,
        };
        command.SetAction(parse => CliErrors.Run(() => Run(parse.GetValue(config), parse.GetValue(output), parse.GetValue(resume),
            parse.GetValue(threads))));
        return command;
    }

    private static int Run(string? configPath, string? output, string? resume, int threads)
    {
        if ((configPath is null) == (resume is null))
        {
            throw new ArgumentException("give either --config (a new run) or --resume (a run folder), not both or neither.");
        }

        if (threads < 0)
        {
            throw new ArgumentException($"--threads: {threads} is negative (0 means all cores).");
        }

        Device.CpuThreads = threads;
        TrainingRunFolder run;
        Trainer trainer;
        if (resume is not null)
        {
            (run, TrainingConfig saved) = TrainingRunFolder.Open(resume);
            trainer = new Trainer(saved);
            run.Restore(trainer);
        }
        else
        {
            // The trainer checks the dataset before the run folder is created, so a bad config leaves nothing behind.
            trainer = new Trainer(TrainingConfig.Load(configPath!));
            run = TrainingRunFolder.Create(output ?? Path.Combine("runs", Path.GetFileNameWithoutExtension(configPath!)), trainer.Config);
        }

        TrainingConfig config = trainer.Config;
        AnsiConsole.MarkupLine(
            $"[bold]{config.Model.Name}[/] cr {config.Model.Cr} ({trainer.Model.ParameterCount:N0} parameters), "
            + $"{trainer.TrainingScans} training scans in {trainer.BatchesPerEpoch} batches of {config.BatchSize}, "
            + $"{trainer.ValidationScans} validation scans; run folder {Markup.Escape(run.FolderPath)}");
        if (trainer.CompletedEpochs > 0)
        {
            AnsiConsole.MarkupLine($"Resuming after epoch {trainer.CompletedEpochs} ({trainer.Iterations} steps).");
        }

        while (trainer.CompletedEpochs < config.NumEpochs)
        {
            EpochSummary summary = TrainOneEpoch(trainer, config.NumEpochs);
            string checkpoint = run.SaveEpoch(trainer, summary);
            string scores = summary.Validation is IouReport r ? $"val mIoU [bold]{r.MeanIou * 100:F1}[/] (acc {r.Accuracy * 100:F1})" : "no validation";
            AnsiConsole.MarkupLine(
                $"epoch {summary.Epoch}/{config.NumEpochs}: loss {summary.TrainLoss:F4}, {summary.ScansPerSecond:F2} scans/s, {scores}; "
                + $"{Markup.Escape(checkpoint)}");
        }

        AnsiConsole.MarkupLine($"Log: {Markup.Escape(run.LogPath)}");
        return 0;
    }

    private static EpochSummary TrainOneEpoch(Trainer trainer, int epochs)
    {
        EpochSummary summary = null!;
        AnsiConsole.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
            new RemainingTimeColumn()).Start(progress =>
        {
            int epoch = trainer.CompletedEpochs + 1;
            ProgressTask train = progress.AddTask($"epoch {epoch}/{epochs}", maxValue: trainer.BatchesPerEpoch);
            ProgressTask validate = progress.AddTask("validation", autoStart: false, maxValue: Math.Max(1, trainer.ValidationScans));
            summary = trainer.TrainEpoch(
                new SynchronousProgress<StepProgress>(s =>
                {
                    train.Description = $"epoch {epoch}/{epochs}  loss {s.Loss:F3}  lr {s.LearningRate:G3}  {s.ScansPerSecond:F2} scans/s";
                    train.Value = s.Batch;
                }),
                scans =>
                {
                    validate.StartTask();
                    validate.Value = scans;
                });
        });
        return summary;
    }

    /// <summary>Reports on the training thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
