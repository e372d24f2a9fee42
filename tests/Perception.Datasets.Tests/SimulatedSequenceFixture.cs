using Perception.Datasets.Geometry;
using Perception.Datasets.SemanticKitti;
using Perception.Datasets.Simulation;

namespace Perception.Datasets.Tests;

/// <summary>One short simulated sequence written to disk once and read back by every test of a class.</summary>
public sealed class SimulatedSequenceFixture : IDisposable
{
    public const int Seed = 8;
    public const int ScanCount = 4;
    private readonly ScratchFolder scratch = new();

    public SimulatedSequenceFixture()
    {
        Drive = new SimulatedDrive(Seed, ScanCount);
        Folder = scratch.File("08");
        Drive.WriteSequence(Folder);
        Calibration = KittiCalibration.Read(Path.Combine(Folder, "calib.txt"));
        CameraPoses = KittiPoseFile.Read(Path.Combine(Folder, "poses.txt"));
        LidarPoses = [.. CameraPoses.Select(Calibration.ToLidarPose)];
        Frames = KittiSequence.ListFrames(Folder);
        Scans = [.. Frames.Select(f => KittiScanFile.Read(f.ScanPath))];
        Labels = [.. Frames.Select((f, i) => KittiLabelFile.Read(f.LabelPath, Scans[i].Length / 4))];
    }

    public SimulatedDrive Drive { get; }

    /// <summary>The sequence folder (the content of sequences/08).</summary>
    public string Folder { get; }

    public KittiCalibration Calibration { get; }

    /// <summary>poses.txt as written: camera-frame poses.</summary>
    public RigidTransform[] CameraPoses { get; }

    /// <summary>poses.txt turned into LiDAR poses with calib.txt's Tr, the way semantic-kitti-api reads them.</summary>
    public RigidTransform[] LidarPoses { get; }

    public IReadOnlyList<KittiFrame> Frames { get; }

    public float[][] Scans { get; }

    public uint[][] Labels { get; }

    /// <summary>Points of scan <paramref name="scan"/> in the world frame, through the files' poses.</summary>
    public (double X, double Y, double Z) World(int scan, int point)
    {
        float[] p = Scans[scan];
        return LidarPoses[scan].Apply(p[point * 4], p[(point * 4) + 1], p[(point * 4) + 2]);
    }

    public void Dispose() => scratch.Dispose();
}
