using System.Diagnostics;
using Perception.Datasets.Evaluation;
using Perception.Datasets.SemanticKitti;
using Pvcnn;
using TorchSparse;
using TorchSparse.Functional;
using TorchSparse.Training;

namespace Perception.Training;

/// <summary>Where a training step stands, for a progress bar.</summary>
public sealed record StepProgress(int Epoch, int Batch, int Batches, double Loss, double LearningRate, double ScansPerSecond);

/// <summary>What one epoch did: its mean training loss, speed and validation scores.</summary>
public sealed record EpochSummary(int Epoch, long Iterations, double LearningRate, double TrainLoss, double ScansPerSecond,
    double Seconds, IouReport? Validation);

/// <summary>
/// Trains a model as a <see cref="TrainingConfig"/> says, one epoch at a time, in a run folder that holds the config,
/// the CSV log, a checkpoint per epoch and the state to resume from (<see cref="TrainingRunFolder"/>).
/// </summary>
public sealed class Trainer
{
    private readonly TrainingConfig config;
    private readonly BatchLoader loader;
    private readonly IReadOnlyList<KittiFrame> validation;
    private readonly Optimizer optimizer;
    private readonly ILearningRateSchedule schedule;

    /// <param name="config">The run's configuration (dataset root already resolved).</param>
    /// <exception cref="IOException">A configured sequence is missing or empty.</exception>
    public Trainer(TrainingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        this.config = config;
        string root = config.Dataset.Root;
        IReadOnlyList<KittiFrame> training = FrameScorer.ListFrames(root, config.Dataset.TrainSequences, config.Train.ScanStride);
        validation = FrameScorer.ListFrames(root, config.Dataset.ValSequences);
        FrameScorer.RequireLabels(training.Concat(validation));
        loader = new BatchLoader(training, config);
        Model = config.Model.Create(KittiLearningMap.ClassCount);
        Model.VoxelSize = (float)config.Dataset.VoxelSize;
        OptimizerSection o = config.Optimizer;
        optimizer = o.Name == "sgd"
            ? new Sgd(o.Lr, o.Momentum, dampening: 0, o.WeightDecay, o.Nesterov)
            : new AdamW(o.Lr, weightDecay: o.WeightDecay);
        long iterations = (long)config.NumEpochs * loader.BatchesPerEpoch;
        schedule = config.Scheduler.Name == "constant"
            ? new ConstantSchedule(o.Lr)
            : new CosineWarmupSchedule(o.Lr, config.Scheduler.WarmupIters, iterations);
    }

    public SegmentationModel Model { get; }

    public TrainingConfig Config => config;

    /// <summary>Epochs finished so far (after a resume, the ones the run had).</summary>
    public int CompletedEpochs { get; private set; }

    /// <summary>Optimiser steps taken so far.</summary>
    public long Iterations { get; private set; }

    public int TrainingScans => loader.ScanCount;

    public int BatchesPerEpoch => loader.BatchesPerEpoch;

    public int ValidationScans => validation.Count;

    /// <summary>Trains the next epoch, then scores the validation sequences (when there are any).</summary>
    public EpochSummary TrainEpoch(IProgress<StepProgress>? progress = null, Action<int>? validated = null,
        CancellationToken cancellation = default)
    {
        int epoch = CompletedEpochs;
        Model.Training = true;
        long start = Stopwatch.GetTimestamp();
        double lossSum = 0;
        int batches = 0, scans = 0;
        double learningRate = 0;
        foreach (TrainingBatch batch in loader.Epoch(epoch, cancellation: cancellation))
        {
            cancellation.ThrowIfCancellationRequested();
            learningRate = schedule.LearningRateAt(Iterations);
            optimizer.LearningRate = learningRate;
            if (Model is PointVoxelModel pointVoxel)
            {
                // Dropout masks follow the seed and the step, so a resumed run draws the same ones.
                pointVoxel.SeedDropout(BatchLoader.Seed(config.Train.Seed, -2, (int)Iterations));
            }

            StepResult step = TrainingStep.Gradients(Model, batch.Input, logits => Loss(logits, batch.Targets));
            if (config.Optimizer.ClipGradNorm > 0)
            {
                GradientClipping.ClipByGlobalNorm(step.Gradients.Select(g => g.Gradient), config.Optimizer.ClipGradNorm);
            }

            optimizer.Step(step.Gradients);
            Iterations++;
            lossSum += step.Loss;
            batches++;
            scans += batch.ScanCount;
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            progress?.Report(new StepProgress(epoch, batches, loader.BatchesPerEpoch, step.Loss, learningRate, scans / seconds));
        }

        double trainSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Model.Training = false;
        IouReport? report = validation.Count == 0 ? null
            : FrameScorer.Score(Model, validation, EvaluationClasses.Official, (_, m) => validated?.Invoke((int)m.ScanCount))
                .Score(IouVariant.Official);
        CompletedEpochs++;
        return new EpochSummary(epoch + 1, Iterations, learningRate, lossSum / batches, scans / trainSeconds,
            Stopwatch.GetElapsedTime(start).TotalSeconds, report);
    }

    /// <summary>Everything a resumed run needs: the model's parameters and buffers, the optimiser's state.</summary>
    internal (IReadOnlyDictionary<string, Tensor> Model, IReadOnlyDictionary<string, Tensor> Optimizer) State() =>
        (Model.StateDict(), optimizer.StateDict());

    /// <summary>Restores a saved state after <paramref name="epochs"/> epochs and <paramref name="iterations"/> steps.</summary>
    internal void Restore(IReadOnlyDictionary<string, Tensor> model, IReadOnlyDictionary<string, Tensor> optimizerState,
        int epochs, long iterations, string source)
    {
        Model.Load(model, source: source);
        optimizer.LoadStateDict(optimizerState);
        CompletedEpochs = epochs;
        Iterations = iterations;
    }

    private LossResult Loss(Tensor logits, Tensor targets)
    {
        int ignore = config.Criterion.IgnoreIndex;
        return config.Criterion.Name switch
        {
            "cross_entropy" => Losses.CrossEntropy(logits, targets, ignore),
            "lovasz" => Losses.LovaszSoftmax(logits, targets, ignore),
            _ => Sum(Losses.CrossEntropy(logits, targets, ignore), Losses.LovaszSoftmax(logits, targets, ignore)),
        };
    }

    private static LossResult Sum(LossResult a, LossResult b) =>
        new(a.Value + b.Value, FeatureOps.Add(a.Gradient, b.Gradient));
}
