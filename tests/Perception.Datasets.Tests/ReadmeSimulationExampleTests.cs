using Perception.Datasets.Geometry;
using Perception.Datasets.SemanticKitti;
using Perception.Datasets.Simulation;

namespace Perception.Datasets.Tests;

/// <summary>The README's "Simulated data" example, verbatim apart from the output folder.</summary>
public class ReadmeSimulationExampleTests
{
    [Fact]
    public void Example_runs_and_writes_a_sequence()
    {
        using var scratch = new ScratchFolder();
        string folder = scratch.File("08");

        // --- README ---
        var drive = new SimulatedDrive(seed: 8, scanCount: 20);
        LidarScan scan = drive.Scan(10);                  // points in its sensor frame, RawLabels as in a .label file
        RigidTransform pose = drive.Pose(10);             // sensor frame -> world frame (the first scan's sensor frame)
        drive.WriteSequence(folder);                      // what perception simulate writes
        LidarScan standard = new LidarScanGenerator().Generate(0);   // scan 0 of seed 0: the benchmarks' workload
        // --- end ---

        Assert.Equal(scan.Count, KittiLabelFile.Read(Path.Combine(folder, "labels", "000010.label")).Length);
        Assert.Equal(10, pose[0, 3], 1);
        Assert.Equal(20, KittiSequence.ListFrames(folder).Count);
        Assert.InRange(standard.Count, 110_000, 130_000);
    }
}
