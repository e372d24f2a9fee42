using Perception.Datasets.Geometry;
using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Tests;

public class KittiPoseFileTests
{
    private static readonly RigidTransform Turn = RigidTransform.FromYawPitchRoll(0.3, -0.1, 0.05, 12.5, -3.25, 0.75);

    [Fact]
    public void Inverse_and_composition_undo_each_other()
    {
        RigidTransform identity = Turn * Turn.Inverse();
        double[] values = identity.ToRowMajor(), expected = RigidTransform.Identity.ToRowMajor();
        for (int k = 0; k < 12; k++)
        {
            Assert.Equal(expected[k], values[k], 12);
        }

        (double x, double y, double z) = Turn.Apply(1, 2, 3);
        (double bx, double by, double bz) = Turn.Inverse().Apply(x, y, z);
        Assert.Equal((1.0, 2.0, 3.0), (Math.Round(bx, 12), Math.Round(by, 12), Math.Round(bz, 12)));
        Assert.True(Turn.OrthonormalityError() < 1e-15);
    }

    [Fact]
    public void Poses_round_trip_through_the_text_file()
    {
        using var scratch = new ScratchFolder();
        RigidTransform[] poses = [RigidTransform.Identity, Turn, Turn * Turn];

        KittiPoseFile.Write(scratch.File("poses.txt"), poses);
        RigidTransform[] read = KittiPoseFile.Read(scratch.File("poses.txt"));

        Assert.Equal(3, read.Length);
        for (int i = 0; i < poses.Length; i++)
        {
            double[] a = poses[i].ToRowMajor(), b = read[i].ToRowMajor();
            for (int k = 0; k < 12; k++)
            {
                // 13 significant digits are printed.
                Assert.True(Math.Abs(a[k] - b[k]) <= 1e-12 * Math.Max(1, Math.Abs(a[k])), $"pose {i} entry {k}");
            }
        }

        Assert.StartsWith("1.000000000000e+00 0.000000000000e+00 ", File.ReadAllLines(scratch.File("poses.txt"))[0]);
    }

    [Theory]
    [InlineData("1 0 0 0 0 1 0 0 0 0 1", "line 2: 11 values, a pose has 12 (3×4)")]
    [InlineData("1 0 0 0 0 1 0 0 0 0 1 x", "line 2: 'x' is not a finite number")]
    [InlineData("1 0 0 0 0 1 0 0 0 0 1 nan", "line 2: 'nan' is not a finite number")]
    public void A_malformed_pose_line_is_named(string line, string problem)
    {
        using var scratch = new ScratchFolder();
        File.WriteAllLines(scratch.File("poses.txt"), ["1 0 0 0 0 1 0 0 0 0 1 0", line]);

        var error = Assert.Throws<DatasetFormatException>(() => KittiPoseFile.Read(scratch.File("poses.txt")));

        Assert.Equal(problem, error.Problem);
    }

    [Fact]
    public void Calibration_converts_poses_both_ways_and_round_trips()
    {
        using var scratch = new ScratchFolder();
        KittiCalibration calibration = Simulation.SimulatedDrive.Calibration;
        calibration.Write(scratch.File("calib.txt"));
        KittiCalibration read = KittiCalibration.Read(scratch.File("calib.txt"));

        RigidTransform back = read.ToLidarPose(read.ToCameraPose(Turn));
        double[] a = Turn.ToRowMajor(), b = back.ToRowMajor();
        for (int k = 0; k < 12; k++)
        {
            Assert.Equal(a[k], b[k], 10);
        }

        Assert.Equal(calibration.Projection(2), read.Projection(2), (x, y) => Math.Abs(x - y) < 1e-9);
        // Tr maps the LiDAR's forward axis (x) onto the camera's optical axis (z).
        (double cx, double cy, double cz) = read.VelodyneToCamera.Rotate(1, 0, 0);
        Assert.True(cz > 0.999 && Math.Abs(cx) < 0.01 && Math.Abs(cy) < 0.01);
    }

    // Finite entries whose determinant overflows once passed the singularity test and gave a NaN inverse.
    [Fact]
    public void Calibration_whose_Tr_overflows_when_inverted_is_refused()
    {
        using var scratch = new ScratchFolder();
        string p = "1 0 0 0 0 1 0 0 0 0 1 0";
        File.WriteAllLines(scratch.File("calib.txt"),
            [$"P0: {p}", $"P1: {p}", $"P2: {p}", $"P3: {p}", "Tr: 1e200 0 0 0 0 1e200 0 0 0 0 1e200 0"]);

        var error = Assert.Throws<DatasetFormatException>(() => KittiCalibration.Read(scratch.File("calib.txt")));

        Assert.StartsWith("Tr cannot be inverted: The inverse overflows double precision", error.Problem,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Calibration_without_Tr_is_refused()
    {
        using var scratch = new ScratchFolder();
        string p = string.Join(' ', Enumerable.Repeat("1", 12));
        File.WriteAllLines(scratch.File("calib.txt"), [$"P0: {p}", $"P1: {p}", $"P2: {p}", $"P3: {p}"]);

        var error = Assert.Throws<DatasetFormatException>(() => KittiCalibration.Read(scratch.File("calib.txt")));

        Assert.Equal("needs a 'Tr:' line with 12 values (3×4 row-major)", error.Problem);
    }
}
