namespace TorchSparse.Training;

/// <summary>A learning rate per optimiser step: a pure function of the 0-based iteration, so resuming needs only the
/// iteration count.</summary>
public interface ILearningRateSchedule
{
    /// <summary>The learning rate for optimiser step <paramref name="iteration"/> (0 is the first step).</summary>
    double LearningRateAt(long iteration);
}

/// <summary>The same learning rate at every step.</summary>
/// <param name="learningRate">The rate (finite, &gt;= 0).</param>
public sealed class ConstantSchedule(double learningRate) : ILearningRateSchedule
{
    private readonly double learningRate = Schedule.RequireRate(learningRate, nameof(learningRate));

    /// <inheritdoc/>
    public double LearningRateAt(long iteration)
    {
        Schedule.RequireIteration(iteration);
        return learningRate;
    }
}

/// <summary>Step decay as <c>torch.optim.lr_scheduler.StepLR</c>: base · γ^⌊k / stepSize⌋.</summary>
public sealed class StepSchedule : ILearningRateSchedule
{
    private readonly double baseLearningRate;
    private readonly long stepSize;
    private readonly double gamma;

    /// <summary>Creates the schedule.</summary>
    /// <param name="baseLearningRate">Rate of the first <paramref name="stepSize"/> steps.</param>
    /// <param name="stepSize">Steps between decays (&gt;= 1).</param>
    /// <param name="gamma">Factor applied at each decay (finite, &gt;= 0).</param>
    public StepSchedule(double baseLearningRate, long stepSize, double gamma)
    {
        this.baseLearningRate = Schedule.RequireRate(baseLearningRate, nameof(baseLearningRate));
        ArgumentOutOfRangeException.ThrowIfLessThan(stepSize, 1);
        this.stepSize = stepSize;
        this.gamma = Schedule.RequireRate(gamma, nameof(gamma));
    }

    /// <inheritdoc/>
    public double LearningRateAt(long iteration) =>
        baseLearningRate * Math.Pow(gamma, Schedule.RequireIteration(iteration) / stepSize);
}

/// <summary>
/// Linear warm-up then cosine annealing, per iteration, as spvnas's <c>cosine_schedule_with_warmup</c>
/// (mit-han-lab/spvnas core/schedulers.py, used through <c>LambdaLR</c> and stepped after every optimiser step):
/// for k &lt; W the factor is (k + 1) / W; after it, ½ (1 + cos(π (k - W) / T)). The factor multiplies the base
/// learning rate. spvnas's T is the whole run (epochs · iterations per epoch), not the run minus the warm-up, so
/// it never reaches 0; here the ratio is clamped at 1, so iterations past W + T get 0 instead of rising again.
/// </summary>
public sealed class CosineWarmupSchedule : ILearningRateSchedule
{
    private readonly double baseLearningRate;

    /// <summary>Creates the schedule.</summary>
    /// <param name="baseLearningRate">Peak rate (the optimiser's configured lr).</param>
    /// <param name="warmupIterations">W &gt;= 0 (0: no warm-up).</param>
    /// <param name="cosineIterations">T &gt;= 1, the length of the cosine half-period.</param>
    public CosineWarmupSchedule(double baseLearningRate, long warmupIterations, long cosineIterations)
    {
        this.baseLearningRate = Schedule.RequireRate(baseLearningRate, nameof(baseLearningRate));
        ArgumentOutOfRangeException.ThrowIfNegative(warmupIterations);
        ArgumentOutOfRangeException.ThrowIfLessThan(cosineIterations, 1);
        WarmupIterations = warmupIterations;
        CosineIterations = cosineIterations;
    }

    /// <summary>W: iterations of linear warm-up.</summary>
    public long WarmupIterations { get; }

    /// <summary>T: iterations from the peak to 0.</summary>
    public long CosineIterations { get; }

    /// <summary>
    /// spvnas's settings for a run on <paramref name="processes"/> data-parallel processes: W = 1000 / processes
    /// (integer division) when there are several and 0 for one; T = epochs · ⌈datasetSize / (batchSize · processes)⌉.
    /// </summary>
    /// <param name="baseLearningRate">The optimiser's lr (spvnas SemanticKITTI: 0.24).</param>
    /// <param name="epochs">Training epochs (spvnas: 15).</param>
    /// <param name="batchSize">Samples per process per step (spvnas: 2).</param>
    /// <param name="datasetSize">Training samples per epoch.</param>
    /// <param name="processes">Data-parallel processes (GPUs).</param>
    public static CosineWarmupSchedule Spvnas(
        double baseLearningRate, int epochs, int batchSize, int datasetSize, int processes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(datasetSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(processes, 1);
        long globalBatch = (long)batchSize * processes;
        long perEpoch = (datasetSize + globalBatch - 1) / globalBatch;
        long warmup = processes == 1 ? 0 : 1000 / processes;
        return new CosineWarmupSchedule(baseLearningRate, warmup, epochs * perEpoch);
    }

    /// <inheritdoc/>
    public double LearningRateAt(long iteration)
    {
        Schedule.RequireIteration(iteration);
        if (iteration < WarmupIterations)
        {
            return baseLearningRate * ((double)(iteration + 1) / WarmupIterations);
        }

        double ratio = Math.Min(1.0, (double)(iteration - WarmupIterations) / CosineIterations);
        return baseLearningRate * (0.5 * (1 + Math.Cos(Math.PI * ratio)));
    }
}

internal static class Schedule
{
    public static double RequireRate(double value, string name) => value >= 0 && double.IsFinite(value)
        ? value
        : throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and >= 0.");

    public static long RequireIteration(long iteration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        return iteration;
    }
}
