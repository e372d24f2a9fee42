using System.Runtime.InteropServices;
using System.Text.Json;
using Pvcnn.Tests;

namespace Perception.Cli.Tests;

/// <summary>
/// `perception eval semantickitti --model` segments and scores in one pass. The ground truth here is PyTorch's
/// prediction for the fixture scan (argmax of its logits, as raw ids), so every class that occurs must score IoU 1,
/// and scoring the files `segment` writes must give the same report.
/// </summary>
public sealed class EvalModelTests : IDisposable
{
    private static readonly uint[] LearningMapInverse = [0, 10, 11, 15, 18, 20, 30, 31, 32, 40, 44, 48, 49, 50, 51, 70, 71, 72, 80, 81];

    private readonly string root = Directory.CreateTempSubdirectory("perception-eval-model-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Model_scored_against_pytorchs_predictions_is_perfect_and_matches_the_two_step_route()
    {
        string sequence = Path.Combine(root, "sequences", "08");
        Directory.CreateDirectory(Path.Combine(sequence, "velodyne"));
        Directory.CreateDirectory(Path.Combine(sequence, "labels"));
        File.Copy(ModelFixtures.PathOf("scene.bin"), Path.Combine(sequence, "velodyne", "000000.bin"));
        File.WriteAllBytes(Path.Combine(sequence, "labels", "000000.label"), MemoryMarshal.AsBytes(TorchLabels("minkunet_cr0p5")).ToArray());
        string oneStep = Path.Combine(root, "one-step.json");
        string twoStep = Path.Combine(root, "two-step.json");
        string model = ModelFixtures.PathOf("minkunet_cr0p5.pt");

        Assert.Equal(0, Program.Run(["eval", "semantickitti", "--dataset", root, "--model", model, "--split", "08", "--json", oneStep]));
        Assert.Equal(0, Program.Run(["segment", "--model", model, "--input", sequence]));
        Assert.Equal(0, Program.Run(["eval", "semantickitti", "--dataset", root, "--predictions", root, "--split", "08", "--json", twoStep]));

        using JsonDocument report = JsonDocument.Parse(File.ReadAllBytes(oneStep));
        JsonElement[] present = report.RootElement.GetProperty("classes").EnumerateArray()
            .Where(c => c.GetProperty("tp").GetInt64() + c.GetProperty("fn").GetInt64() > 0).ToArray();
        Assert.NotEmpty(present);
        Assert.All(present, c => Assert.True(c.GetProperty("iou").GetDouble() >= 0.999, c.GetProperty("name").GetString()));
        Assert.Equal(File.ReadAllText(twoStep), File.ReadAllText(oneStep));
    }

    [Fact]
    public void Predictions_and_model_together_are_refused() =>
        Assert.Equal(2, Program.Run(["eval", "semantickitti", "--dataset", root, "--predictions", root,
            "--model", ModelFixtures.PathOf("minkunet_cr0p5.pt"), "--split", "08"]));

    private static uint[] TorchLabels(string caseName)
    {
        float[] logits = ModelFixtures.Logits(caseName);
        var labels = new uint[logits.Length / 19];
        for (int p = 0; p < labels.Length; p++)
        {
            ReadOnlySpan<float> row = logits.AsSpan(p * 19, 19);
            int best = 0;
            for (int c = 1; c < 19; c++)
            {
                best = row[c] > row[best] ? c : best;
            }

            labels[p] = LearningMapInverse[best + 1];
        }

        return labels;
    }
}
