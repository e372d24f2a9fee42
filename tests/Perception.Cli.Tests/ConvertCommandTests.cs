using Perception.Datasets.PointClouds;
using Perception.Datasets.SemanticKitti;
using Perception.Ros2.Mcap;

namespace Perception.Cli.Tests;

/// <summary>`perception convert`: scans and sequences to MCAP and back, the points compared exactly.</summary>
[Collection("cli")]
public sealed class ConvertCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("perception-convert-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("zstd", true)]
    [InlineData("lz4", false)]
    [InlineData("none", true)]
    public void A_sequence_goes_to_MCAP_and_back_bit_for_bit(string compression, bool withTimes)
    {
        string sequence = Path.Combine(folder, "sequences", "04");
        Directory.CreateDirectory(Path.Combine(sequence, "velodyne"));
        var random = new Random(4);
        var scans = new List<float[]>();
        for (int s = 0; s < 3; s++)
        {
            float[] points = [.. Enumerable.Range(0, 4 * (500 + (s * 37))).Select(_ => (random.NextSingle() * 100) - 50)];
            KittiScanFile.Write(Path.Combine(sequence, "velodyne", $"{s:D6}.bin"), points);
            scans.Add(points);
        }

        if (withTimes)
        {
            KittiTimesFile.Write(Path.Combine(sequence, "times.txt"), [0.0, 0.103, 0.2071]);
        }

        string mcap = Path.Combine(folder, "drive.mcap"), back = Path.Combine(folder, "back");
        Assert.Equal(0, Program.Run(["convert", sequence, "--out", mcap, "--compression", compression, "--topic", "/velodyne_points"]));
        Assert.Equal(0, Program.Run(["convert", mcap, "--out", back, "--format", "bin"]));

        for (int s = 0; s < scans.Count; s++)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(sequence, "velodyne", $"{s:D6}.bin")),
                File.ReadAllBytes(Path.Combine(back, $"{s:D6}.bin")));
        }

        using McapReader reader = McapReader.Open(mcap);
        ulong[] expected = withTimes ? [0, 103_000_000, 207_100_000] : [0, 100_000_000, 200_000_000];
        Assert.Equal(expected, reader.ReadMessages("/velodyne_points").Select(m => m.Message.LogTime));
        Assert.Equal("sensor_msgs/msg/PointCloud2", Assert.Single(reader.Schemas).Value.Name);
    }

    [Theory]
    [InlineData("pcd")]
    [InlineData("ply")]
    public void A_scan_keeps_every_field_and_type(string format)
    {
        var cloud = new PointCloud(300);
        var random = new Random(7);
        foreach (string axis in new[] { "x", "y", "z" })
        {
            Span<float> values = cloud.AddField(axis, PointFieldType.Float32).AsSpan<float>();
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = random.NextSingle() * 20;
            }
        }

        Span<byte> intensity = cloud.AddField("intensity", PointFieldType.UInt8).AsSpan<byte>();
        Span<ushort> ring = cloud.AddField("ring", PointFieldType.UInt16).AsSpan<ushort>();
        for (int i = 0; i < 300; i++)
        {
            (intensity[i], ring[i]) = ((byte)i, (ushort)(i % 64));
        }

        string scan = Path.Combine(folder, $"scan.{format}"), mcap = Path.Combine(folder, "scan.mcap");
        string back = Path.Combine(folder, "back");
        if (format == "pcd")
        {
            PcdFile.Write(scan, cloud);
        }
        else
        {
            PlyFile.Write(scan, cloud);
        }

        Assert.Equal(0, Program.Run(["convert", scan, "--out", mcap, "--frame-id", "lidar_top"]));
        Assert.Equal(0, Program.Run(["convert", mcap, "--out", back, "--format", format]));

        PointCloud read = PointCloudFile.ReadCloud(Path.Combine(back, $"000000.{format}"));
        Assert.Equal(cloud.Fields.Select(f => (f.Name, f.Type)), read.Fields.Select(f => (f.Name, f.Type)));
        foreach (PointField field in cloud.Fields)
        {
            Assert.Equal(field.ToSingle(), read.FindField(field.Name)!.ToSingle());
        }
    }

    [Theory]
    [InlineData("--compression", "gzip")]
    [InlineData("--format", "las")]
    [InlineData("--topic", "points")]
    public void Bad_options_are_refused_with_exit_code_2(string option, string value)
    {
        string scan = Path.Combine(folder, "one.bin");
        KittiScanFile.Write(scan, new float[8]);
        string mcap = Path.Combine(folder, "one.mcap");
        Assert.Equal(0, Program.Run(["convert", scan, "--out", mcap]));
        string input = option == "--format" ? mcap : scan;

        Assert.Equal(2, Program.Run(["convert", input, "--out", Path.Combine(folder, "out.mcap"), option, value]));
    }

    [Fact]
    public void A_corrupt_recording_is_refused_with_exit_code_2()
    {
        string scan = Path.Combine(folder, "one.bin"), mcap = Path.Combine(folder, "one.mcap");
        KittiScanFile.Write(scan, new float[400]);
        Assert.Equal(0, Program.Run(["convert", scan, "--out", mcap, "--compression", "none"]));
        byte[] bytes = File.ReadAllBytes(mcap);
        File.WriteAllBytes(mcap, bytes[..(bytes.Length / 2)]);

        Assert.Equal(2, Program.Run(["convert", mcap, "--out", Path.Combine(folder, "back")]));
        Assert.Equal(2, Program.Run(["convert", Path.Combine(folder, "missing.bin"), "--out", mcap]));
    }
}
