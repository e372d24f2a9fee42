using TorchSparse.Checkpoints;
using TorchSparse.Training;

namespace TorchSparse.Tests.Training;

/// <summary>The README's "Training building blocks" example, verbatim apart from its labels and run folder,
/// so the README cannot drift.</summary>
public sealed class TrainingReadmeExampleTests
{
    [Fact]
    public void Readme_training_example_lowers_the_loss_and_saves_state_that_resumes()
    {
        var labels = Tensor.From(new long[] { 3, 255, 0, 18, 3, 7, 255, 12 }, 8);
        string runDir = Directory.CreateTempSubdirectory("training-readme-").FullName;
        try
        {
            // --- README ---
            // spvnas's SemanticKITTI recipe: SGD lr 0.24, momentum 0.9, Nesterov, wd 1e-4, cosine warm-up per step.
            var sgd = new Sgd(learningRate: 0.24, momentum: 0.9, weightDecay: 1e-4, nesterov: true);
            var schedule = CosineWarmupSchedule.Spvnas(
                0.24, epochs: 15, batchSize: 2, datasetSize: 19130, processes: 8);
            Tensor logits = Tensor.Zeros(DType.Float32, labels.Size(0), 19);  // a parameter here; usually model output
            for (long iteration = 0; iteration < 100; iteration++)
            {
                LossResult loss = Losses.CrossEntropy(logits, labels, ignoreIndex: 255);  // labels: int64 [N]
                double norm = GradientClipping.ClipByGlobalNorm([loss.Gradient], maxNorm: 10);
                sgd.LearningRate = schedule.LearningRateAt(iteration);
                sgd.Step([new ParameterGradient("logits", logits, loss.Gradient)]);
            }
            Safetensors.Save(Path.Combine(runDir, "sgd.safetensors"), sgd.StateDict());  // LoadStateDict resumes
            // --- end ---

            Assert.InRange(Losses.CrossEntropy(logits, labels, ignoreIndex: 255).Value, 0, 0.5 * Math.Log(19));
            var resumed = new Sgd(0.24, momentum: 0.9, weightDecay: 1e-4, nesterov: true);
            resumed.LoadStateDict(TorchCheckpoint.Load(Path.Combine(runDir, "sgd.safetensors")));
            Assert.Equal(
                sgd.StateDict()["logits.momentum_buffer"].ToArray<float>(),
                resumed.StateDict()["logits.momentum_buffer"].ToArray<float>());
        }
        finally
        {
            Directory.Delete(runDir, recursive: true);
        }
    }
}
