using System.Runtime.InteropServices;
using Pvcnn.Tests;

namespace Perception.Cli.Tests;

/// <summary>
/// `perception segment` end to end: the .label file it writes holds, per point, the raw SemanticKITTI id of the
/// class PyTorch's logits pick (fixtures from tests/fixtures/gen_model_fixtures.py), mapped with the official
/// learning_map_inv written out here from semantic-kitti.yaml.
/// </summary>
public sealed class SegmentCommandTests : IDisposable
{
    /// <summary>semantic-kitti.yaml learning_map_inv, train ids 0..19.</summary>
    private static readonly uint[] LearningMapInverse = [0, 10, 11, 15, 18, 20, 30, 31, 32, 40, 44, 48, 49, 50, 51, 70, 71, 72, 80, 81];

    private readonly string folder = Directory.CreateTempSubdirectory("perception-segment-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("minkunet_cr0p5")]
    [InlineData("spvcnn_cr1p0")]
    public void Labels_are_the_raw_ids_of_pytorchs_argmax(string caseName)
    {
        string scan = Copy("scene.bin", "scene.bin");
        string labels = Path.Combine(folder, "scene.label");
        string picture = Path.Combine(folder, "scene.png");

        int code = Program.Run(["segment", "--model", ModelFixtures.PathOf(caseName + ".pt"), "--input", scan,
            "--output", labels, "--picture", picture, "--threads", "2"]);

        Assert.Equal(0, code);
        uint[] written = MemoryMarshal.Cast<byte, uint>(File.ReadAllBytes(labels)).ToArray();
        float[] logits = ModelFixtures.Logits(caseName);
        Assert.Equal(logits.Length / 19, written.Length);
        int agree = 0;
        for (int p = 0; p < written.Length; p++)
        {
            agree += written[p] == LearningMapInverse[ArgMax(logits.AsSpan(p * 19, 19)) + 1] ? 1 : 0;
        }

        Assert.True(agree >= 0.999 * written.Length, $"{agree} of {written.Length} labels agree with PyTorch");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(picture)[..4]);
    }

    [Fact]
    public void A_sequence_folder_gets_one_prediction_per_scan()
    {
        string velodyne = Directory.CreateDirectory(Path.Combine(folder, "sequences", "08", "velodyne")).FullName;
        Copy("scene.bin", Path.Combine(velodyne, "000000.bin"));
        Copy("scene.bin", Path.Combine(velodyne, "000001.bin"));
        string sequence = Path.GetDirectoryName(velodyne)!;

        int code = Program.Run(["segment", "--model", ModelFixtures.PathOf("minkunet_cr0p5.pt"), "--input", sequence]);

        Assert.Equal(0, code);
        string[] predictions = Directory.GetFiles(Path.Combine(sequence, "predictions")).Select(Path.GetFileName).Order().ToArray()!;
        Assert.Equal(["000000.label", "000001.label"], predictions);
        Assert.Equal(new FileInfo(Path.Combine(velodyne, "000000.bin")).Length / 4,
            new FileInfo(Path.Combine(sequence, "predictions", "000000.label")).Length);
    }

    [Fact]
    public void Sequence_output_that_is_a_file_is_a_clear_error()
    {
        string velodyne = Directory.CreateDirectory(Path.Combine(folder, "sequences", "08", "velodyne")).FullName;
        Copy("scene.bin", Path.Combine(velodyne, "000000.bin"));
        string file = Copy("scene.bin", "not-a-folder");

        (int code, string text) = CliOutput.Run(["segment", "--model", ModelFixtures.PathOf("minkunet_cr0p5.pt"),
            "--input", Path.GetDirectoryName(velodyne)!, "--output", file]);

        Assert.Equal(2, code);
        Assert.Contains("--output", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_scan_is_a_clear_error()
    {
        string scan = Path.Combine(folder, "broken.bin");
        File.WriteAllBytes(scan, new byte[18]);

        Assert.Equal(2, Program.Run(["segment", "--model", ModelFixtures.PathOf("minkunet_cr0p5.pt"), "--input", scan]));
    }

    [Fact]
    public void Checkpoint_whose_architecture_cannot_be_told_is_refused()
    {
        string weights = Copy("minkunet_cr0p5.pt", "weights.pt");

        Assert.Equal(2, Program.Run(["segment", "--model", weights, "--input", Copy("scene.bin", "scene.bin")]));
        Assert.Equal(0, Program.Run(["segment", "--model", weights, "--arch", "minkunet", "--input", Path.Combine(folder, "scene.bin"),
            "--picture", Path.Combine(folder, "p.png")]));
    }

    [Fact]
    public void Missing_model_is_a_clear_error() =>
        Assert.Equal(2, Program.Run(["segment", "--model", Path.Combine(folder, "nope.pt"), "--input", Copy("scene.bin", "scene.bin")]));

    private string Copy(string fixture, string target)
    {
        string path = Path.IsPathRooted(target) ? target : Path.Combine(folder, target);
        File.Copy(ModelFixtures.PathOf(fixture), path, overwrite: true);
        return path;
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int c = 1; c < row.Length; c++)
        {
            if (row[c] > row[best])
            {
                best = c;
            }
        }

        return best;
    }
}
