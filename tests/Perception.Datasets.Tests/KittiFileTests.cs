using System.Buffers.Binary;
using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Tests;

public class KittiFileTests
{
    [Fact]
    public void Reads_little_endian_xyz_remission_records()
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("000000.bin");
        float[] expected = [1.5f, -2.25f, 0.5f, 0.3f, 10, 20, -1.75f, 1];
        var bytes = new byte[expected.Length * 4];
        for (int i = 0; i < expected.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), expected[i]);
        }

        File.WriteAllBytes(path, bytes);

        Assert.Equal(expected, KittiScanFile.Read(path));
    }

    [Fact]
    public void Scans_round_trip_and_an_empty_scan_is_valid()
    {
        using var scratch = new ScratchFolder();
        float[] points = Enumerable.Range(0, 4 * 1000).Select(i => (i * 0.37f) - 100).ToArray();

        KittiScanFile.Write(scratch.File("a.bin"), points);
        KittiScanFile.Write(scratch.File("empty.bin"), []);

        Assert.Equal(points, KittiScanFile.Read(scratch.File("a.bin")));
        Assert.Equal(16_000, new FileInfo(scratch.File("a.bin")).Length);
        Assert.Empty(KittiScanFile.Read(scratch.File("empty.bin")));
    }

    [Theory]
    [InlineData(17)]
    [InlineData(15)]
    [InlineData(1)]
    public void Truncated_scan_fails_naming_the_file_and_its_size(int size)
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("cut.bin");
        File.WriteAllBytes(path, new byte[size]);

        var error = Assert.Throws<DatasetFormatException>(() => KittiScanFile.Read(path));

        Assert.Equal($"{path}: size {size} bytes is not a multiple of 16 (4 float32 per point: x, y, z, remission)",
            error.Message);
    }

    [Fact]
    public void A_mapped_scan_has_the_points_a_read_gives()
    {
        using var scratch = new ScratchFolder();
        float[] points = [.. Enumerable.Range(0, 4 * 1000).Select(i => (i * 0.37f) - 100)];
        KittiScanFile.Write(scratch.File("a.bin"), points);
        KittiScanFile.Write(scratch.File("empty.bin"), []);

        using (MappedScan mapped = KittiScanFile.Map(scratch.File("a.bin")))
        {
            Assert.Equal(1000, mapped.PointCount);
            Assert.Equal(points, mapped.Points.ToArray());
        }

        using MappedScan empty = KittiScanFile.Map(scratch.File("empty.bin"));
        Assert.Equal(0, empty.PointCount);
        Assert.True(empty.Points.IsEmpty);
    }

    [Fact]
    public void A_disposed_mapped_scan_refuses_access_and_a_truncated_one_is_refused()
    {
        using var scratch = new ScratchFolder();
        KittiScanFile.Write(scratch.File("a.bin"), [1, 2, 3, 4]);
        MappedScan mapped = KittiScanFile.Map(scratch.File("a.bin"));
        mapped.Dispose();
        mapped.Dispose();
        Assert.Throws<ObjectDisposedException>(() => mapped.Points.Length);

        File.WriteAllBytes(scratch.File("cut.bin"), new byte[20]);
        var error = Assert.Throws<DatasetFormatException>(() => KittiScanFile.Map(scratch.File("cut.bin")));
        Assert.Equal($"{scratch.File("cut.bin")}: size 20 bytes is not a multiple of 16 (4 float32 per point: x, y, z, remission)",
            error.Message);
    }

    [Fact]
    public void Writing_a_partial_point_is_refused()
    {
        using var scratch = new ScratchFolder();
        Assert.Throws<ArgumentException>(() => KittiScanFile.Write(scratch.File("a.bin"), new float[5]));
        Assert.Empty(Directory.GetFiles(scratch.Root));
    }

    [Fact]
    public void Labels_round_trip_and_split_into_semantic_and_instance_ids()
    {
        using var scratch = new ScratchFolder();
        uint[] labels = [0x0005_000A, 40, 0xFFFF_0103, 0];

        KittiLabelFile.Write(scratch.File("000000.label"), labels);
        uint[] back = KittiLabelFile.Read(scratch.File("000000.label"), expectedPointCount: 4);

        Assert.Equal(labels, back);
        Assert.Equal([10, 40, 259, 0], back.Select(KittiLabelFile.SemanticId));
        Assert.Equal([5, 0, 65535, 0], back.Select(KittiLabelFile.InstanceId));
        Assert.Equal([0x0A, 0x00, 0x05, 0x00], File.ReadAllBytes(scratch.File("000000.label"))[..4]);
    }

    [Fact]
    public void Label_count_mismatch_names_the_file_and_both_counts()
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("000000.label");
        KittiLabelFile.Write(path, new uint[3]);

        var error = Assert.Throws<DatasetFormatException>(() => KittiLabelFile.Read(path, expectedPointCount: 4));

        Assert.Equal($"{path}: holds 3 labels but its scan has 4 points", error.Message);
    }

    [Fact]
    public void Label_file_of_odd_size_fails()
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("000000.label");
        File.WriteAllBytes(path, new byte[6]);

        var error = Assert.Throws<DatasetFormatException>(() => KittiLabelFile.Read(path));

        Assert.Contains("size 6 bytes is not a multiple of 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_classes_maps_and_rejects_unknown_ids_naming_the_point()
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("000000.label");
        KittiLabelFile.Write(path, [0x0002_000A, 60, 7]);

        var error = Assert.Throws<DatasetFormatException>(() =>
            KittiLabelFile.ReadClasses(path, 3, KittiLearningMap.Official));
        KittiLabelFile.Write(path, [0x0002_000A, 60, 252]);

        Assert.Equal($"{path}: point 2 has semantic id 7 (label 0x00000007), which is not a SemanticKITTI label id",
            error.Message);
        Assert.Equal([1, 9, 1], KittiLabelFile.ReadClasses(path, 3, KittiLearningMap.Official));
        Assert.Equal([0, 255, 0], KittiLabelFile.ReadClasses(path, 3, KittiLearningMap.Spvnas));
    }

    [Fact]
    public void Sequence_lists_scans_in_order_with_their_label_paths()
    {
        using var scratch = new ScratchFolder();
        string sequence = Path.Combine(scratch.Root, "sequences", "08");
        Directory.CreateDirectory(Path.Combine(sequence, "velodyne"));
        Directory.CreateDirectory(Path.Combine(sequence, "labels"));
        foreach (string name in new[] { "000010", "000000", "000001" })
        {
            File.WriteAllBytes(Path.Combine(sequence, "velodyne", name + ".bin"), []);
        }

        File.WriteAllBytes(Path.Combine(sequence, "velodyne", "notes.txt"), []);
        File.WriteAllBytes(Path.Combine(sequence, "labels", "000000.label"), []);
        File.WriteAllBytes(Path.Combine(sequence, "labels", "000010.label"), []);

        IReadOnlyList<KittiFrame> frames = KittiSequence.ListFrames(sequence);

        Assert.Equal(["000000", "000001", "000010"], frames.Select(f => f.Name));
        Assert.Equal([true, false, true], frames.Select(f => f.HasLabels));
        Assert.All(frames, f => Assert.Equal("08", f.Sequence));
        Assert.Equal(Path.Combine(sequence, "velodyne", "000001.bin"), frames[1].ScanPath);
        Assert.Equal(Path.Combine(sequence, "labels", "000001.label"), frames[1].LabelPath);
        Assert.Equal(Path.Combine(sequence, "predictions", "000001.label"), frames[1].PredictionPath);
    }

    [Fact]
    public void Sequence_without_velodyne_folder_fails()
    {
        using var scratch = new ScratchFolder();
        var error = Assert.Throws<DirectoryNotFoundException>(() => KittiSequence.ListFrames(scratch.Root));
        Assert.Contains("no velodyne folder", error.Message, StringComparison.Ordinal);
    }
}
