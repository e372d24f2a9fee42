using System.Runtime.InteropServices;
using Perception.Datasets.Simulation;

namespace Perception.Datasets.Tests;

public class SimulatedDriveTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_sequence_is_byte_identical_on_any_number_of_threads(int threads)
    {
        using var scratch = new ScratchFolder();
        new SimulatedDrive(3, 2).WriteSequence(scratch.File("default"));
        new SimulatedDrive(3, 2) { MaxDegreeOfParallelism = threads }.WriteSequence(scratch.File("threads"));

        string[] files = [.. Directory.GetFiles(scratch.File("default"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(scratch.File("default"), f)).Order(StringComparer.Ordinal)];
        Assert.Equal(7, files.Length); // 2 scans, 2 labels, calib, poses, times
        foreach (string file in files)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(scratch.File("default"), file))
                .SequenceEqual(File.ReadAllBytes(Path.Combine(scratch.File("threads"), file))), $"{file} differs");
        }
    }

    [Fact]
    public void A_scan_depends_only_on_the_seed_and_its_index()
    {
        var shortDrive = new SimulatedDrive(5, 3);
        var longDrive = new SimulatedDrive(5, 400);

        AssertSameScan(shortDrive.Scan(2), longDrive.Scan(2));
        AssertSameScan(new LidarScanGenerator().Generate(5), longDrive.Scan(0));
        Assert.False(MemoryMarshal.AsBytes(longDrive.Scan(1).Points).SequenceEqual(MemoryMarshal.AsBytes(longDrive.Scan(2).Points)));
    }

    [Fact]
    public void The_world_frame_is_the_first_scans_sensor_frame()
    {
        var drive = new SimulatedDrive(6, 2);

        Assert.Equal(Geometry.RigidTransform.Identity, drive.Pose(0));
        Assert.Equal(0, drive.Time(0));
        Assert.Equal(0.1, drive.Time(1), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => drive.Pose(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimulatedDrive(6, 0));
    }

    private static void AssertSameScan(LidarScan expected, LidarScan actual)
    {
        Assert.True(MemoryMarshal.AsBytes(expected.Points).SequenceEqual(MemoryMarshal.AsBytes(actual.Points)));
        Assert.True(expected.RawLabels.SequenceEqual(actual.RawLabels));
        Assert.True(expected.Rings.SequenceEqual(actual.Rings));
    }
}
