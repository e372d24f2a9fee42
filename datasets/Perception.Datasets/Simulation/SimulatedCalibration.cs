using Perception.Datasets.Geometry;
using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Simulation;

/// <summary>The calibration written with simulated sequences (see <see cref="SimulatedDrive.Calibration"/>).</summary>
internal static class SimulatedCalibration
{
    private const double Focal = 720;
    private const double CentreU = 610;
    private const double CentreV = 185;

    public static KittiCalibration Create()
    {
        // LiDAR (x forward, y left, z up) to camera (x right, y down, z forward), then a small mounting error.
        RigidTransform axes = RigidTransform.FromRowMajor([0, -1, 0, 0, 0, 0, -1, 0, 1, 0, 0, 0]);
        RigidTransform mounting = RigidTransform.FromYawPitchRoll(0.004, -0.007, 0.0025, -0.01, -0.06, -0.27);
        RigidTransform tr = mounting * axes;
        // Stereo baselines of the KITTI rig: cam1 0.54 m right of cam0, colour cams 2 and 3 at +0.06 and -0.47 m.
        double[] baselines = [0, 0.54, -0.06, 0.47];
        IReadOnlyList<double>[] projections =
            [.. baselines.Select(b => Projection(-Focal * b))];
        return new KittiCalibration(projections, tr);
    }

    /// <summary>A rectified camera's 3×4 projection; <paramref name="shift"/> is −focal × its baseline.</summary>
    private static double[] Projection(double shift) => [Focal, 0, CentreU, shift, 0, Focal, CentreV, 0, 0, 0, 1, 0];
}
