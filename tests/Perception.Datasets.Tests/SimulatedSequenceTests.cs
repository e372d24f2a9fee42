using Perception.Datasets.Geometry;
using Perception.Datasets.SemanticKitti;
using Perception.Datasets.Simulation;

namespace Perception.Datasets.Tests;

/// <summary>
/// A simulated sequence read back from its SemanticKITTI files: classes through the official learning map, the
/// folder layout, and poses checked against the world they were cast in.
/// </summary>
public sealed class SimulatedSequenceTests(SimulatedSequenceFixture sequence) : IClassFixture<SimulatedSequenceFixture>
{
    // Range noise is truncated at 3σ along the ray; float32 storage adds micrometres.
    private static readonly double SurfaceTolerance = (3 * LidarSensorConfig.Hdl64E.RangeNoiseSigma) + 1e-3;

    [Theory]
    [InlineData(1, "car")]
    [InlineData(2, "bicycle")]
    [InlineData(3, "motorcycle")]
    [InlineData(4, "truck")]
    [InlineData(5, "other-vehicle")]
    [InlineData(6, "person")]
    [InlineData(7, "bicyclist")]
    [InlineData(8, "motorcyclist")]
    [InlineData(9, "road")]
    [InlineData(10, "parking")]
    [InlineData(11, "sidewalk")]
    [InlineData(12, "other-ground")]
    [InlineData(13, "building")]
    [InlineData(14, "fence")]
    [InlineData(15, "vegetation")]
    [InlineData(16, "trunk")]
    [InlineData(17, "terrain")]
    [InlineData(18, "pole")]
    [InlineData(19, "traffic-sign")]
    public void Every_evaluated_class_has_points_in_a_few_scans(int trainId, string name)
    {
        Assert.Equal(name, KittiLearningMap.Official.ClassName(trainId));
        int points = 0;
        foreach (KittiFrame frame in sequence.Frames)
        {
            int count = (int)(new FileInfo(frame.ScanPath).Length / 16);
            points += KittiLabelFile.ReadClasses(frame.LabelPath, count, KittiLearningMap.Official).Count(c => c == trainId);
        }

        Assert.True(points >= 5, $"{name}: {points} points in {sequence.Frames.Count} scans");
    }

    [Fact]
    public void Raw_ids_include_ones_the_learning_map_merges()
    {
        var ids = sequence.Labels.SelectMany(l => l).Select(l => (KittiRawLabel)KittiLabelFile.SemanticId(l)).ToHashSet();

        Assert.Contains(KittiRawLabel.LaneMarking, ids);
        Assert.Contains(ids, id => id >= KittiRawLabel.MovingCar);
        Assert.DoesNotContain(KittiRawLabel.Unlabeled, ids);
        Assert.True(sequence.Labels[0].Any(l => KittiLabelFile.InstanceId(l) != 0), "things carry instance ids");
    }

    [Fact]
    public void Files_follow_the_SemanticKITTI_layout()
    {
        string[] names = [.. Enumerable.Range(0, SimulatedSequenceFixture.ScanCount).Select(i => $"{i:D6}")];
        Assert.Equal(names.Select(n => n + ".bin"), Directory.GetFiles(Path.Combine(sequence.Folder, "velodyne"))
            .Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(names.Select(n => n + ".label"), Directory.GetFiles(Path.Combine(sequence.Folder, "labels"))
            .Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (KittiFrame frame in sequence.Frames)
        {
            long bin = new FileInfo(frame.ScanPath).Length, label = new FileInfo(frame.LabelPath).Length;
            Assert.True(frame.HasLabels);
            Assert.Equal(0, bin % 16);
            Assert.Equal(bin / 16, label / 4);
            Assert.Equal(0, label % 4);
            Assert.InRange(bin / 16, 90_000, 150_000);
        }

        Assert.Equal(SimulatedSequenceFixture.ScanCount, sequence.CameraPoses.Length);
        Assert.Equal(SimulatedSequenceFixture.ScanCount, File.ReadAllLines(Path.Combine(sequence.Folder, "poses.txt")).Length);
        double[] times = KittiTimesFile.Read(Path.Combine(sequence.Folder, "times.txt"));
        Assert.Equal(SimulatedSequenceFixture.ScanCount, times.Length);
        for (int i = 0; i < times.Length; i++)
        {
            Assert.Equal(i * 0.1, times[i], 12);
        }

        Assert.Equal(["P0", "P1", "P2", "P3", "Tr"],
            File.ReadAllLines(Path.Combine(sequence.Folder, "calib.txt")).Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)]));
    }

    [Fact]
    public void Poses_read_back_are_the_drive_poses_in_the_camera_frame()
    {
        for (int i = 0; i < SimulatedSequenceFixture.ScanCount; i++)
        {
            AssertClose(sequence.Drive.Pose(i), sequence.LidarPoses[i], 1e-9);
            AssertClose(sequence.Calibration.ToCameraPose(sequence.Drive.Pose(i)), sequence.CameraPoses[i], 1e-9);
        }

        AssertClose(RigidTransform.Identity, sequence.CameraPoses[0], 1e-12);
    }

    [Fact]
    public void Consecutive_poses_are_a_metre_apart_with_orthonormal_rotations()
    {
        for (int i = 0; i < SimulatedSequenceFixture.ScanCount; i++)
        {
            Assert.True(sequence.CameraPoses[i].OrthonormalityError() < 1e-9, $"pose {i} rotation is not orthonormal");
            Assert.True(sequence.LidarPoses[i].OrthonormalityError() < 1e-9, $"LiDAR pose {i} rotation is not orthonormal");
            if (i > 0)
            {
                // In the camera frame the car drives along +z.
                double step = Distance(sequence.CameraPoses[i], sequence.CameraPoses[i - 1]);
                Assert.InRange(step, 0.95, 1.05);
                Assert.True(sequence.CameraPoses[i][2, 3] > sequence.CameraPoses[i - 1][2, 3], "forward is camera +z");
            }
        }
    }

    [Fact]
    public void A_pole_seen_in_consecutive_scans_stays_at_its_world_position() =>
        AssertPolesStayPut(sequence.Drive, sequence.Scans, sequence.Labels, sequence.LidarPoses);

    [Fact]
    public void A_pole_stays_put_where_the_car_has_turned_and_pitched()
    {
        // The first poses are nearly the identity, where a transposed rotation would hardly show: take the three
        // scans of a longer drive whose rotation is largest, with poses through poses.txt and calib.txt.
        const int Scans = 120;
        var drive = new SimulatedDrive(SimulatedSequenceFixture.Seed, Scans);
        int first = Enumerable.Range(0, Scans - 2).MaxBy(i => RotationAngle(drive.Pose(i)));
        Assert.True(RotationAngle(drive.Pose(first)) > 3e-3, "the drive turns or pitches somewhere");
        using var scratch = new ScratchFolder();
        SimulatedDrive.Calibration.Write(scratch.File("calib.txt"));
        KittiPoseFile.Write(scratch.File("poses.txt"),
            Enumerable.Range(0, Scans).Select(i => SimulatedDrive.Calibration.ToCameraPose(drive.Pose(i))));
        KittiCalibration calibration = KittiCalibration.Read(scratch.File("calib.txt"));
        RigidTransform[] poses = [.. KittiPoseFile.Read(scratch.File("poses.txt")).Select(calibration.ToLidarPose)];
        LidarScan[] scans = [.. Enumerable.Range(first, 3).Select(drive.Scan)];

        AssertPolesStayPut(drive, [.. scans.Select(s => s.Points.ToArray())],
            [.. scans.Select(s => s.RawLabels.ToArray())], poses[first..(first + 3)]);
    }

    /// <summary>
    /// Each pole within 20 m and seen with at least 15 returns in every scan: its axis, estimated from the returns
    /// in the world frame (each moved by the pole's radius away from the sensor, as returns come from the side
    /// facing it), is within 3 cm of the pole's axis in every scan, so also from one scan to the next.
    /// </summary>
    private static void AssertPolesStayPut(SimulatedDrive drive, float[][] scans, uint[][] labels,
        RigidTransform[] poses)
    {
        var poles = drive.SceneAt(0).Primitives.OfType<VerticalCylinder>().Where(c => c.RawLabel == KittiRawLabel.Pole);
        int compared = 0;
        foreach (VerticalCylinder pole in poles)
        {
            var axes = new List<(double X, double Y)>();
            for (int scan = 0; scan < scans.Length; scan++)
            {
                (double sx, double sy, _) = poses[scan].Apply(0, 0, 0);
                if (Math.Sqrt(Math.Pow(pole.X - sx, 2) + Math.Pow(pole.Y - sy, 2)) > 20)
                {
                    break;
                }

                var estimates = new List<(double X, double Y)>();
                for (int i = 0; i < labels[scan].Length; i++)
                {
                    if ((KittiRawLabel)KittiLabelFile.SemanticId(labels[scan][i]) != KittiRawLabel.Pole)
                    {
                        continue;
                    }

                    float[] p = scans[scan];
                    (double x, double y, _) = poses[scan].Apply(p[i * 4], p[(i * 4) + 1], p[(i * 4) + 2]);
                    double dx = x - sx, dy = y - sy, along = Math.Sqrt((dx * dx) + (dy * dy));
                    if (Math.Sqrt(Math.Pow(x - pole.X, 2) + Math.Pow(y - pole.Y, 2)) < 0.3)
                    {
                        estimates.Add((x + (pole.Radius * dx / along), y + (pole.Radius * dy / along)));
                    }
                }

                if (estimates.Count >= 15)
                {
                    axes.Add((estimates.Average(e => e.X), estimates.Average(e => e.Y)));
                }
            }

            if (axes.Count == scans.Length)
            {
                compared++;
                foreach ((double x, double y) in axes)
                {
                    double off = Math.Sqrt(Math.Pow(x - pole.X, 2) + Math.Pow(y - pole.Y, 2));
                    Assert.True(off < 0.03, $"pole at ({pole.X:F2}, {pole.Y:F2}) seen {off:F3} m off its axis");
                }
            }
        }

        Assert.True(compared >= 1, "no pole was seen within 20 m in every scan");
    }

    [Fact]
    public void Points_through_the_file_poses_lie_on_world_surfaces_of_their_label()
    {
        const int Scan = 3;
        UrbanScene world = sequence.Drive.SceneAt(Scan);
        var map = KittiLearningMap.Official;
        for (int i = 0; i < sequence.Labels[Scan].Length; i += 7)
        {
            (double x, double y, double z) = sequence.World(Scan, i);
            var label = (SemanticLabel)map.ToClass(sequence.Labels[Scan][i]);
            double distance = world.SurfaceDistance(label, new Vec3(x, y, z));
            Assert.True(distance <= SurfaceTolerance, $"point {i} ({x:F2}, {y:F2}, {z:F2}) {label} is {distance:F3} m off");
        }
    }

    /// <summary>The rotation's angle in radians, from its trace.</summary>
    private static double RotationAngle(RigidTransform pose) =>
        Math.Acos(Math.Clamp((pose[0, 0] + pose[1, 1] + pose[2, 2] - 1) / 2, -1, 1));

    private static double Distance(RigidTransform a, RigidTransform b) =>
        Math.Sqrt(Math.Pow(a[0, 3] - b[0, 3], 2) + Math.Pow(a[1, 3] - b[1, 3], 2) + Math.Pow(a[2, 3] - b[2, 3], 2));

    private static void AssertClose(RigidTransform expected, RigidTransform actual, double tolerance)
    {
        double[] e = expected.ToRowMajor(), a = actual.ToRowMajor();
        for (int k = 0; k < 12; k++)
        {
            Assert.True(Math.Abs(e[k] - a[k]) <= tolerance, $"entry {k}: expected {e[k]}, got {a[k]}");
        }
    }
}
