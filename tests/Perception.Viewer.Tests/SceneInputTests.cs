using Perception.Datasets.PointClouds;
using Perception.Datasets.SemanticKitti;
using Perception.Viewer.Scenes;

namespace Perception.Viewer.Tests;

/// <summary>Inputs as the commands read them: labels found beside a scan or in its sequence, NaN points skipped and
/// counted, and every bad input a <see cref="SceneInputException"/> that names the file and the problem.</summary>
public sealed class SceneInputTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("perception-scene-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void A_bin_finds_its_labels_beside_it_or_in_the_sequence_labels_folder()
    {
        string beside = Path.Combine(folder, "000001.bin");
        KittiScanFile.Write(beside, [1, 2, 3, 0.5f, 4, 5, 6, 0.25f]);
        KittiLabelFile.Write(Path.Combine(folder, "000001.label"), [10, 40]);
        Assert.Equal([1, 9], SceneCloudReader.Read(beside).Classes!);

        string velodyne = Directory.CreateDirectory(Path.Combine(folder, "08", "velodyne")).FullName;
        Directory.CreateDirectory(Path.Combine(folder, "08", "labels"));
        KittiScanFile.Write(Path.Combine(velodyne, "000000.bin"), [1, 2, 3, 0.5f]);
        KittiLabelFile.Write(Path.Combine(folder, "08", "labels", "000000.label"), [81]);
        SceneCloud cloud = SceneCloudReader.Read(Path.Combine(velodyne, "000000.bin"));
        Assert.Equal([19], cloud.Classes!);
        Assert.Equal([0.5f], cloud.Intensity!);
    }

    [Fact]
    public void NaN_and_infinite_points_are_skipped_and_counted_with_their_labels()
    {
        string scan = Path.Combine(folder, "nan.bin");
        KittiScanFile.Write(scan, [1, 2, 3, 0.1f, float.NaN, 0, 0, 0.2f, 4, float.PositiveInfinity, 6, 0.3f, 7, 8, 9, 0.4f]);
        KittiLabelFile.Write(Path.Combine(folder, "nan.label"), [10, 40, 48, 50]);
        SceneCloud cloud = SceneCloudReader.Read(scan);
        Assert.Equal(2, cloud.SkippedPoints);
        Assert.Equal([1, 2, 3, 7, 8, 9], cloud.Xyz);
        Assert.Equal([1, 13], cloud.Classes!);
    }

    [Fact]
    public void A_PCD_without_intensity_colours_by_height_and_refuses_intensity()
    {
        var cloud = new PointCloud(2);
        foreach (string axis in (string[])["x", "y", "z"])
        {
            cloud.AddField(axis, PointFieldType.Float32).AsSpan<float>()[1] = 1;
        }

        string path = Path.Combine(folder, "plain.pcd");
        PcdFile.Write(path, cloud);
        SceneCloud read = SceneCloudReader.Read(path);
        Assert.Equal(PointColoring.Height, SceneBuilder.Build(read).Coloring);
        SceneInputException error = Assert.Throws<SceneInputException>(() => SceneBuilder.Build(read, PointColoring.Intensity));
        Assert.Contains("intensity", error.Message, StringComparison.Ordinal);
        Assert.Contains("class", Assert.Throws<SceneInputException>(() => SceneBuilder.Build(read, PointColoring.Class)).Message,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing.bin", null, "no such file")]
    [InlineData("empty.bin", null, "the point cloud is empty")]
    [InlineData("allnan.bin", null, "all 1 points have a NaN")]
    [InlineData("odd.bin", null, "not a multiple of 16")]
    [InlineData("scan.xyz", null, "unknown point cloud extension")]
    [InlineData("two.bin", "three.label", "holds 3 labels but its scan has 2 points")]
    [InlineData("garbage.ply", null, "garbage.ply")]
    public void Bad_inputs_say_which_file_and_what_is_wrong(string file, string? labels, string expected)
    {
        File.WriteAllBytes(Path.Combine(folder, "empty.bin"), []);
        KittiScanFile.Write(Path.Combine(folder, "allnan.bin"), [float.NaN, 0, 0, 0]);
        File.WriteAllBytes(Path.Combine(folder, "odd.bin"), new byte[20]);
        File.WriteAllText(Path.Combine(folder, "scan.xyz"), "1 2 3\n");
        KittiScanFile.Write(Path.Combine(folder, "two.bin"), new float[8]);
        KittiLabelFile.Write(Path.Combine(folder, "three.label"), [0, 0, 0]);
        File.WriteAllText(Path.Combine(folder, "garbage.ply"), "not a ply header\n");

        string path = Path.Combine(folder, file);
        SceneInputException error = Assert.Throws<SceneInputException>(
            () => SceneCloudReader.Read(path, labels is null ? null : Path.Combine(folder, labels)));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Box_files_read_OpenPCDet_order_and_reject_bad_lines()
    {
        string path = Path.Combine(folder, "boxes.txt");
        File.WriteAllLines(path, ["# x y z dx dy dz heading label", "1 2 -0.5 4.2 1.8 1.5 0.25 car", "", "0 0 0 1 1 1 0"]);
        IReadOnlyList<OrientedBox> boxes = BoxFile.Read(path);
        Assert.Equal(new OrientedBox(new(1, 2, -0.5f), new(4.2f, 1.8f, 1.5f), 0.25f, "car"), boxes[0]);
        Assert.Null(boxes[1].Label);

        File.WriteAllLines(path, ["1 2 3 4 5 -6 0"]);
        Assert.Contains("line 1", Assert.Throws<SceneInputException>(() => BoxFile.Read(path)).Message, StringComparison.Ordinal);
    }
}
