using Perception.Datasets.SemanticKitti;
using Perception.Datasets.Simulation;

namespace Perception.Cli.Tests;

/// <summary>`perception demo` with the shipped model: it writes the scan, the truth and the predictions of an unseen
/// simulated street, and the predictions agree with the simulator's ground truth (the shipped model works).</summary>
[Collection("cli")]
public sealed class DemoCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("perception-demo-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Segments_an_unseen_street_with_the_shipped_model()
    {
        string output = Path.Combine(folder, "out");
        Assert.Equal(0, Program.Run(["demo", "--out", output, "--seed", "1001", "--threads", "2"]));

        LidarScan scan = new LidarScanGenerator().Generate(1001);
        Assert.Equal(scan.Points.ToArray(), KittiScanFile.Read(Path.Combine(output, "scan.bin")));
        Assert.Equal(scan.RawLabels.ToArray(), KittiLabelFile.Read(Path.Combine(output, "truth.label")));
        uint[] predicted = KittiLabelFile.Read(Path.Combine(output, "predictions.label"), scan.Count);
        var truth = new int[scan.Count];
        var guess = new int[scan.Count];
        KittiLearningMap.Official.ToClasses(scan.RawLabels, truth);
        KittiLearningMap.Official.ToClasses(predicted, guess);
        int scored = 0, right = 0;
        for (int p = 0; p < scan.Count; p++)
        {
            if (truth[p] != 0)
            {
                scored++;
                right += truth[p] == guess[p] ? 1 : 0;
            }
        }

        Assert.True(right >= 0.9 * scored, $"{right} of {scored} points right");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(Path.Combine(output, "demo.png"))[..4]);
    }
}
