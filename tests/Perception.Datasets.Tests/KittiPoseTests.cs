using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Tests;

public class KittiPoseTests
{
    // A rotation of 90° about z (camera-frame values need not be realistic) with a translation.
    private const string Calibration = """
        P0: 7.188560e+02 0 6.071928e+02 0 0 7.188560e+02 1.852157e+02 0 0 0 1 0
        P1: 7.188560e+02 0 6.071928e+02 -3.861448e+02 0 7.188560e+02 1.852157e+02 0 0 0 1 0
        Tr: 0 -1 0 0.5 0 0 -1 -0.25 1 0 0 -1.5

        """;

    [Fact]
    public void Calibration_keys_and_matrices_are_read()
    {
        using var scratch = new ScratchFolder();
        File.WriteAllText(scratch.File("calib.txt"), Calibration);

        KittiCalibration calibration = KittiCalibration.Read(scratch.File("calib.txt"));

        Assert.Equal(["P0", "P1", "Tr"], calibration.Keys);
        Assert.Equal(-386.1448, calibration["P1"][0, 3], 12);
        Assert.Equal(-0.25, calibration.VelodyneToCamera[1, 3]);
        Assert.Equal(1, calibration.VelodyneToCamera[3, 3]);
    }

    [Fact]
    public void Lidar_frame_poses_are_tr_inverse_p_tr()
    {
        using var scratch = new ScratchFolder();
        File.WriteAllText(scratch.File("calib.txt"), Calibration);
        File.WriteAllText(scratch.File("poses.txt"), """
            1 0 0 0 0 1 0 0 0 0 1 0
            1 0 0 0 0 1 0 0 0 0 1 2.5
            """);

        IReadOnlyList<KittiTransform> camera = KittiPoseFile.Read(scratch.File("poses.txt"));
        IReadOnlyList<KittiTransform> lidar = KittiPoseFile.ReadInLidarFrame(scratch.File("poses.txt"), scratch.File("calib.txt"));

        Assert.Equal(2, camera.Count);
        Assert.Equal(2.5, camera[1][2, 3]);
        // Identity stays identity; camera z (forward) is LiDAR x for this Tr, so 2.5 m forward is x = 2.5.
        AssertClose(KittiTransform.Identity, lidar[0]);
        AssertClose(new KittiTransform([1, 0, 0, 2.5, 0, 1, 0, 0, 0, 0, 1, 0]), lidar[1]);
    }

    [Fact]
    public void Inverse_undoes_the_transform()
    {
        var transform = new KittiTransform([0.9, -0.2, 0.1, 4, 0.3, 1.1, -0.4, -2, 0.05, 0.2, 0.8, 7]);

        AssertClose(KittiTransform.Identity, transform.Inverse() * transform);
        AssertClose(KittiTransform.Identity, transform * transform.Inverse());
        Assert.Throws<InvalidOperationException>(() => new KittiTransform(new double[12]).Inverse());
    }

    [Theory]
    [InlineData("poses", "1 0 0 0 0 1 0 0 0 0 1 0\n1 0 0 0 0 1 0 0 0 0 1\n", "line 2: 11 numbers, expected 12 (a row-major 3x4 matrix)")]
    [InlineData("poses", "1 0 0 0 0 1 0 0 0 0 1 x\n", "line 1, value 12: 'x' is not a finite number")]
    [InlineData("poses", "1 0 0 0 0 1 0 0 0 0 1 0\n\n1 0 0 0 0 1 0 0 0 0 1 0\n", "line 2: blank line before line 3")]
    [InlineData("poses", "1 0 0 0 0 1 0 0 0 0 1 NaN\n", "line 1, value 12: 'NaN' is not a finite number")]
    [InlineData("calib", "P0 1 0 0 0 0 1 0 0 0 0 1 0\n", "line 1: expected 'KEY: 12 numbers'")]
    [InlineData("calib", "Tr: 1 0 0 0 0 1 0 0 0 0 1 0 9\n", "line 1 (Tr): 13 numbers, expected 12 (a row-major 3x4 matrix)")]
    [InlineData("calib", "Tr: 1 0 0 0 0 1 0 0 0 0 1 0\nTr: 1 0 0 0 0 1 0 0 0 0 1 0\n", "line 2: key 'Tr' appears twice")]
    public void Malformed_files_name_the_line(string kind, string text, string problem)
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File(kind + ".txt");
        File.WriteAllText(path, text);

        DatasetFormatException e = Assert.Throws<DatasetFormatException>(() =>
        {
            _ = kind == "poses" ? KittiPoseFile.Read(path).Count : KittiCalibration.Read(path).Keys.Count;
        });

        Assert.Equal(path, e.FilePath);
        Assert.Equal(problem, e.Problem);
    }

    [Fact]
    public void Calibration_without_tr_is_named()
    {
        using var scratch = new ScratchFolder();
        File.WriteAllText(scratch.File("calib.txt"), "P0: 1 0 0 0 0 1 0 0 0 0 1 0\n");
        File.WriteAllText(scratch.File("poses.txt"), "1 0 0 0 0 1 0 0 0 0 1 0\n");

        DatasetFormatException e = Assert.Throws<DatasetFormatException>(
            () => KittiPoseFile.ReadInLidarFrame(scratch.File("poses.txt"), scratch.File("calib.txt")));

        Assert.Equal(scratch.File("calib.txt"), e.FilePath);
        Assert.Equal("no 'Tr:' line (keys: P0)", e.Problem);
    }

    private static void AssertClose(KittiTransform expected, KittiTransform actual)
    {
        for (int r = 0; r < 4; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                Assert.True(Math.Abs(expected[r, c] - actual[r, c]) < 1e-12, $"({r}, {c}): {actual[r, c]}, expected {expected[r, c]}");
            }
        }
    }
}
