using Perception.Datasets.Geometry;
using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Simulation;

/// <summary>
/// A simulated SemanticKITTI sequence: a sensor car driving along a seeded street at 10 m/s, scanning at 10 Hz
/// (one metre per scan). Static objects stay put in the world frame, which is the first scan's sensor frame;
/// moving actors carry SemanticKITTI's moving-* labels. Scan i depends only on (seed, i): any subset of scans, in
/// any order, on any number of threads, gives the same bytes.
/// </summary>
public sealed class SimulatedDrive
{
    /// <summary>Seconds between scans: the HDL-64E at 10 Hz.</summary>
    public const double ScanPeriod = 0.1;

    private readonly UrbanWorld world;

    /// <param name="seed">Chooses the street, its objects, the traffic, the path and the sensor noise.</param>
    /// <param name="scanCount">Number of scans; the street is built for the whole drive.</param>
    /// <param name="sensor">The LiDAR; the HDL-64E as mounted on the KITTI car by default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scanCount"/> is not positive.</exception>
    public SimulatedDrive(int seed, int scanCount, LidarSensorConfig? sensor = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scanCount);
        Sensor = sensor ?? LidarSensorConfig.Hdl64E;
        Sensor.Validate();
        Seed = seed;
        ScanCount = scanCount;
        world = new UrbanWorld(seed, Sensor.MountHeight, 0, Distance(scanCount - 1));
    }

    /// <summary>
    /// A KITTI-like calibration: cameras 0..3 of the KITTI rig with a 720 px focal length, and Tr turning the
    /// LiDAR's x-forward, y-left, z-up axes into the camera's x-right, y-down, z-forward ones, with the camera
    /// 27 cm ahead of and 6 cm below the LiDAR and a fraction of a degree of mounting error.
    /// </summary>
    public static KittiCalibration Calibration { get; } = SimulatedCalibration.Create();

    public int Seed { get; }

    public int ScanCount { get; }

    public LidarSensorConfig Sensor { get; }

    /// <summary>Threads used per scan; -1 lets the runtime choose. The result does not depend on it.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    public GroundModel Ground => world.Ground;

    /// <summary>Seconds from the first scan to scan <paramref name="scan"/> (times.txt).</summary>
    public double Time(int scan) => CheckScan(scan) * ScanPeriod;

    /// <summary>
    /// The LiDAR pose of scan <paramref name="scan"/>: maps its sensor frame into the world frame (the first scan's
    /// sensor frame). <see cref="KittiCalibration.ToCameraPose"/> gives the poses.txt form.
    /// </summary>
    public RigidTransform Pose(int scan) => world.Route.Pose(Distance(CheckScan(scan)));

    /// <summary>The world, in the world frame, at the time of scan <paramref name="scan"/>.</summary>
    public UrbanScene SceneAt(int scan) => world.SceneAt(Time(scan));

    /// <summary>Scan <paramref name="scan"/>, in its own sensor frame.</summary>
    public LidarScan Scan(int scan)
    {
        var generator = new LidarScanGenerator(Sensor) { MaxDegreeOfParallelism = MaxDegreeOfParallelism };
        return generator.Scan(SceneAt(scan), Pose(scan), LidarScanGenerator.NoiseSeed(Seed, scan));
    }

    /// <summary>
    /// Writes the drive as a SemanticKITTI sequence folder (<c>sequences/NN</c>): <c>velodyne/000000.bin</c> and
    /// <c>labels/000000.label</c> per scan, then <c>calib.txt</c>, <c>poses.txt</c> (camera frame, as SemanticKITTI
    /// stores them) and <c>times.txt</c>. Every file is written atomically; the next scan is cast while the previous
    /// one is written. <paramref name="scanWritten"/> gets the number of scans written so far.
    /// </summary>
    /// <returns>The number of points written, over all scans.</returns>
    public long WriteSequence(string sequenceFolder, Action<int>? scanWritten = null,
        CancellationToken cancellationToken = default) =>
        SequenceWriter.Write(this, sequenceFolder, scanWritten, cancellationToken);

    private static double Distance(int scan) => scan * ScanPeriod * EgoRoute.Speed;

    private int CheckScan(int scan)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(scan);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(scan, ScanCount);
        return scan;
    }
}
