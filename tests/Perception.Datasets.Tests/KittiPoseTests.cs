using Perception.Datasets.Geometry;
using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Tests;

public class KittiPoseTests
{
    // A rotation of 90 degrees (camera-frame values need not be realistic) with a translation.
    private const string Calibration = """
        P0: 7.188560e+02 0 6.071928e+02 0 0 7.188560e+02 1.852157e+02 0 0 0 1 0
        P1: 7.188560e+02 0 6.071928e+02 -3.861448e+02 0 7.188560e+02 1.852157e+02 0 0 0 1 0
        P2: 7.188560e+02 0 6.071928e+02 4.538225e+01 0 7.188560e+02 1.852157e+02 -1.130887e-01 0 0 1 3.779761e-03
        P3: 7.188560e+02 0 6.071928e+02 -3.372877e+02 0 7.188560e+02 1.852157e+02 2.369057e+00 0 0 1 4.915215e-03
        Tr: 0 -1 0 0.5 0 0 -1 -0.25 1 0 0 -1.5

        """;

    [Fact]
    public void Lidar_frame_poses_are_tr_inverse_p_tr()
    {
        using var scratch = new ScratchFolder();
        File.WriteAllText(scratch.File("calib.txt"), Calibration);
        File.WriteAllText(scratch.File("poses.txt"), """
            1 0 0 0 0 1 0 0 0 0 1 0
            1 0 0 0 0 1 0 0 0 0 1 2.5
            """);

        RigidTransform[] camera = KittiPoseFile.Read(scratch.File("poses.txt"));
        RigidTransform[] lidar = KittiPoseFile.ReadInLidarFrame(scratch.File("poses.txt"), scratch.File("calib.txt"));

        Assert.Equal(2, camera.Length);
        Assert.Equal(2.5, camera[1][2, 3]);
        // Identity stays identity; camera z (forward) is LiDAR x for this Tr, so 2.5 m forward is x = 2.5.
        AssertClose(RigidTransform.Identity, lidar[0]);
        AssertClose(RigidTransform.FromRowMajor([1, 0, 0, 2.5, 0, 1, 0, 0, 0, 0, 1, 0]), lidar[1]);
    }

    private static void AssertClose(RigidTransform expected, RigidTransform actual)
    {
        double[] e = expected.ToRowMajor();
        double[] a = actual.ToRowMajor();
        for (int i = 0; i < 12; i++)
        {
            Assert.True(Math.Abs(e[i] - a[i]) < 1e-12, $"element {i}: {a[i]}, expected {e[i]}");
        }
    }
}
