using Perception.Datasets.SemanticKitti;

namespace Perception.Cli.Tests;

/// <summary>`perception simulate`: the SemanticKITTI tree it writes, and the arguments it refuses.</summary>
[Collection("cli")]
public sealed class SimulateCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("perception-simulate-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Writes_a_SemanticKITTI_tree_the_same_on_one_or_two_threads()
    {
        string one = Path.Combine(folder, "one"), two = Path.Combine(folder, "two");

        Assert.Equal(0, Program.Run(["simulate", "--out", one, "--sequences", "00,08", "--scans", "2", "--seed", "4", "--threads", "1"]));
        Assert.Equal(0, Program.Run(["simulate", "--out", two, "--sequences", "00,08", "--scans", "2", "--seed", "4", "--threads", "2"]));

        foreach (string sequence in new[] { "00", "08" })
        {
            string root = Path.Combine(one, "sequences", sequence);
            IReadOnlyList<KittiFrame> frames = KittiSequence.ListFrames(root);
            Assert.Equal(["000000", "000001"], frames.Select(f => f.Name));
            Assert.All(frames, f => Assert.Equal(new FileInfo(f.ScanPath).Length / 16, new FileInfo(f.LabelPath).Length / 4));
            Assert.Equal(2, KittiPoseFile.Read(Path.Combine(root, "poses.txt")).Length);
            Assert.Equal(2, KittiTimesFile.Read(Path.Combine(root, "times.txt")).Length);
            Assert.NotNull(KittiCalibration.Read(Path.Combine(root, "calib.txt")));
            foreach (string file in Directory.GetFiles(root, "*", SearchOption.AllDirectories))
            {
                string twin = Path.Combine(two, "sequences", sequence, Path.GetRelativePath(root, file));
                Assert.True(File.ReadAllBytes(file).SequenceEqual(File.ReadAllBytes(twin)), $"{file} differs");
            }
        }

        // Sequence NN drives the world of seed + NN: the two sequences are different drives.
        Assert.False(File.ReadAllBytes(Path.Combine(one, "sequences", "00", "velodyne", "000000.bin"))
            .SequenceEqual(File.ReadAllBytes(Path.Combine(one, "sequences", "08", "velodyne", "000000.bin"))));
    }

    [Fact]
    public void The_azimuth_step_sets_the_columns_the_points_lie_on()
    {
        string coarse = Path.Combine(folder, "coarse"), fine = Path.Combine(folder, "fine");
        Assert.Equal(0, Program.Run(["simulate", "--out", coarse, "--scans", "1", "--seed", "3"]));
        Assert.Equal(0, Program.Run(["simulate", "--out", fine, "--scans", "1", "--seed", "3", "--azimuth-step", "0.08"]));

        float[] defaultScan = KittiScanFile.Read(Path.Combine(coarse, "sequences", "00", "velodyne", "000000.bin"));
        float[] fineScan = KittiScanFile.Read(Path.Combine(fine, "sequences", "00", "velodyne", "000000.bin"));
        double ratio = (double)fineScan.Length / defaultScan.Length;
        Assert.InRange(ratio, 4500 / 2048.0 * 0.9, 4500 / 2048.0 * 1.1);

        // Ranges are noisy, directions are not: every point's azimuth is a multiple of 360 / 4500 degrees.
        double step = 2 * Math.PI / 4500;
        for (int p = 0; p < fineScan.Length; p += 4)
        {
            double azimuth = Math.Atan2(fineScan[p + 1], fineScan[p]);
            double offColumn = Math.Abs(Math.IEEERemainder(azimuth, step));
            Assert.True(offColumn < step * 0.05, $"point {p / 4} at azimuth {azimuth} is {offColumn} rad off a column");
        }
    }

    [Theory]
    [InlineData("--sequences", "8")]
    [InlineData("--sequences", "008")]
    [InlineData("--sequences", "0a")]
    [InlineData("--sequences", "00,,08")]
    [InlineData("--sequences", "00,00")]
    [InlineData("--scans", "0")]
    [InlineData("--scans", "-3")]
    [InlineData("--threads", "-1")]
    [InlineData("--azimuth-step", "0.01")]
    [InlineData("--azimuth-step", "3")]
    public void Bad_arguments_are_refused_with_exit_code_2(string option, string value)
    {
        string[] args = ["simulate", "--out", Path.Combine(folder, "out"), option, value,
            .. option == "--scans" ? Array.Empty<string>() : ["--scans", "1"]];

        Assert.Equal(2, Program.Run(args));
        Assert.False(File.Exists(Path.Combine(folder, "out", "sequences", "00", "velodyne", "000000.bin")));
    }

    [Fact]
    public void An_output_root_that_is_a_file_is_refused_with_exit_code_2()
    {
        string file = Path.Combine(folder, "taken");
        File.WriteAllText(file, "not a folder");

        Assert.Equal(2, Program.Run(["simulate", "--out", file, "--scans", "1"]));
        Assert.Equal("not a folder", File.ReadAllText(file));
    }
}
