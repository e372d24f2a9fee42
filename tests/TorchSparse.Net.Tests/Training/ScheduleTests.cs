using TorchSparse.Training;

namespace TorchSparse.Tests.Training;

/// <summary>Schedule behaviour the PyTorch sequences do not reach: the spvnas defaults, the end of the cosine,
/// constants and bad arguments.</summary>
public sealed class ScheduleTests
{
    [Fact]
    public void Spvnas_semantickitti_recipe_on_eight_processes()
    {
        // SemanticKITTI train has 19 130 scans; batch 2 per GPU on 8 GPUs, 15 epochs, lr 0.24.
        CosineWarmupSchedule s = CosineWarmupSchedule.Spvnas(0.24, epochs: 15, batchSize: 2, datasetSize: 19130, processes: 8);
        Assert.Equal(125, s.WarmupIterations);                 // 1000 // 8
        Assert.Equal(15 * 1196, s.CosineIterations);           // ceil(19130 / 16) per epoch
        Assert.Equal(0.24 / 125, s.LearningRateAt(0), 15);
        Assert.Equal(0.24, s.LearningRateAt(124), 15);
        Assert.Equal(0.24, s.LearningRateAt(125), 15);
        Assert.Equal(0.12, s.LearningRateAt(125 + (15 * 1196 / 2)), 12);
    }

    [Fact]
    public void Single_process_has_no_warmup()
    {
        CosineWarmupSchedule s = CosineWarmupSchedule.Spvnas(0.24, epochs: 1, batchSize: 2, datasetSize: 10, processes: 1);
        Assert.Equal(0, s.WarmupIterations);
        Assert.Equal(0.24, s.LearningRateAt(0));
    }

    [Theory]
    [InlineData(30)]
    [InlineData(31)]
    [InlineData(1000)]
    public void Cosine_stays_at_zero_past_its_end(long iteration) =>
        Assert.Equal(0.0, new CosineWarmupSchedule(0.1, 10, 20).LearningRateAt(iteration), 15);

    [Fact]
    public void Cosine_is_monotone_after_the_warmup()
    {
        var s = new CosineWarmupSchedule(1.0, 5, 50);
        for (long k = 5; k < 60; k++)
        {
            Assert.True(s.LearningRateAt(k + 1) <= s.LearningRateAt(k), $"iteration {k}");
        }
    }

    [Fact]
    public void Constant_is_constant() =>
        Assert.All(new long[] { 0, 1, 1_000_000 }, k => Assert.Equal(0.01, new ConstantSchedule(0.01).LearningRateAt(k)));

    [Fact]
    public void Step_decays_every_step_size() => Assert.Equal(
        new[] { 1.0, 1.0, 0.1, 0.1, 0.01 },
        Enumerable.Range(0, 5).Select(k => Math.Round(new StepSchedule(1.0, 2, 0.1).LearningRateAt(k), 15)));

    [Fact]
    public void Negative_iterations_and_bad_arguments_throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantSchedule(0.1).LearningRateAt(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantSchedule(-0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepSchedule(0.1, 0, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineWarmupSchedule(0.1, -1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineWarmupSchedule(0.1, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CosineWarmupSchedule.Spvnas(0.1, 1, 2, 10, 0));
    }
}
