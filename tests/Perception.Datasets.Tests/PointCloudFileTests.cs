using Perception.Datasets.IO;
using Perception.Datasets.PointClouds;
using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Tests;

public class PointCloudFileTests
{
    [Fact]
    public void Bin_reads_as_xyzi_and_as_a_cloud_with_remission()
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("000000.bin");
        float[] points = [1, 2, 3, 0.5f, -4, -5, -6, 0.25f];
        KittiScanFile.Write(path, points);

        PointCloud cloud = PointCloudFile.ReadCloud(path);

        Assert.Equal(points, PointCloudFile.Read(path));
        Assert.Equal(["x", "y", "z", "remission"], cloud.Fields.Select(f => f.Name));
        Assert.Equal(points, cloud.ToXyzi());
    }

    [Theory]
    [InlineData("intensity", ".pcd")]
    [InlineData("remission", ".pcd")]
    [InlineData("reflectance", ".pcd")]
    [InlineData("i", ".pcd")]
    [InlineData("intensity", ".ply")]
    [InlineData("scalar_intensity", ".ply")]
    [InlineData("remission", ".PLY")]
    [InlineData("reflectance", ".ply")]
    public void Intensity_spellings_become_the_fourth_channel(string intensityName, string extension)
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("cloud" + extension);
        var cloud = new PointCloud(2);
        cloud.AddField("ring", PointFieldType.UInt8).AsSpan<byte>().Fill(3);
        cloud.AddField(intensityName, PointFieldType.UInt8).AsSpan<byte>()[1] = 200;
        foreach (string axis in new[] { "z", "y", "x" })
        {
            Span<double> values = cloud.AddField(axis, PointFieldType.Float64).AsSpan<double>();
            values[0] = axis[0] - 'x' + 1;
            values[1] = -values[0];
        }

        if (extension == ".pcd")
        {
            PcdFile.Write(path, cloud, PcdEncoding.Ascii);
        }
        else
        {
            PlyFile.Write(path, cloud, PlyEncoding.Ascii);
        }

        Assert.Equal([1, 2, 3, 0, -1, -2, -3, 200], PointCloudFile.Read(path));
    }

    [Fact]
    public void A_cloud_without_intensity_fails_naming_the_file_and_its_fields()
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("xyz.pcd");
        File.WriteAllText(path, "FIELDS x y z rgb\nSIZE 4 4 4 4\nTYPE F F F U\nWIDTH 1\nDATA ascii\n1 2 3 4\n");

        var error = Assert.Throws<DatasetFormatException>(() => PointCloudFile.Read(path));

        Assert.StartsWith(
            path + ": The cloud needs x, y, z and an intensity channel", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("it has: x y z rgb.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_extension_fails()
    {
        var error = Assert.Throws<NotSupportedException>(() => PointCloudFile.Read("scan.e57"));
        Assert.Contains("unknown point cloud extension '.e57'; expected .bin, .pcd, .ply or .las", error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Atomic_write_replaces_the_target_and_leaves_no_temporary_file()
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("000000.bin");
        KittiScanFile.Write(path, [1, 2, 3, 4]);

        KittiScanFile.Write(path, [5, 6, 7, 8, 9, 10, 11, 12]);

        Assert.Equal([5, 6, 7, 8, 9, 10, 11, 12f], KittiScanFile.Read(path));
        Assert.Equal([path], Directory.GetFiles(scratch.Root));
    }

    [Fact]
    public void Abandoned_atomic_write_keeps_the_old_content()
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("cloud.pcd");
        File.WriteAllText(path, "old");

        using (AtomicFile file = AtomicFile.Create(path))
        {
            file.Stream.Write("half a new fi"u8);
            Assert.Equal(2, Directory.GetFiles(scratch.Root).Length); // the temporary file sits beside the target
        }

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(scratch.Root));
    }
}
