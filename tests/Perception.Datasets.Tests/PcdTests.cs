using System.Numerics;
using Perception.Datasets.PointClouds;

namespace Perception.Datasets.Tests;

public class PcdTests
{
    [Fact]
    public void Reads_a_hand_written_ascii_file()
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("hand.pcd");
        File.WriteAllText(path, """
            # comment lines are skipped
            VERSION 0.7
            FIELDS ring remission z y x rgb_pair
            SIZE 2 4 4 4 4 1
            TYPE U F F F F U
            COUNT 1 1 1 1 1 2
            WIDTH 2
            HEIGHT 1
            VIEWPOINT 1 2 3 0 1 0 0
            POINTS 2
            DATA ascii
            3 0.25 -1 2.5 10 7 8
            63 1 0.5 -2 -10 255 0

            """);

        PointCloud cloud = PcdFile.Read(path);

        Assert.Equal(["ring", "remission", "z", "y", "x", "rgb_pair"], cloud.Fields.Select(f => f.Name));
        Assert.Equal([3, 63], cloud.FindField("ring")!.AsSpan<ushort>().ToArray());
        Assert.Equal([10f, -10f], cloud.FindField("x")!.AsSpan<float>().ToArray());
        Assert.Equal([7, 8, 255, 0], cloud.FindField("rgb_pair")!.AsSpan<byte>().ToArray());
        Assert.Equal(new Vector3(1, 2, 3), cloud.ViewpointOrigin);
        Assert.Equal(new Quaternion(1, 0, 0, 0), cloud.ViewpointOrientation);
        Assert.Equal([10, 2.5f, -1, 0.25f, -10, -2, 0.5f, 1], cloud.ToXyzi());
    }

    [Fact]
    public void Reads_a_v06_header_without_version_count_viewpoint_or_points()
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("old.pcd");
        File.WriteAllText(path, "FIELDS x y z intensity\nSIZE 4 4 4 4\nTYPE F F F F\nWIDTH 2\nHEIGHT 1\n" +
                                "DATA ascii\n1 2 3 4\r\n5 6 7 8\r\n");

        PointCloud cloud = PcdFile.Read(path);

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8f], cloud.ToXyzi());
        Assert.Equal(Quaternion.Identity, cloud.ViewpointOrientation);
    }

    // The same cloud as written by hand (ascii) and converted by PCL 1.13 to binary and binary_compressed.
    [Theory]
    [InlineData("known.pcd")]
    [InlineData("known.pcl.binary.pcd")]
    [InlineData("known.pcl.binary_compressed.pcd")]
    public void Reads_the_known_cloud_from_peer_files(string name)
    {
        PointCloud cloud = PcdFile.Read(Fixture.Path(name));

        TestClouds.AssertSame(TestClouds.Known(), cloud);
        Assert.Equal(new Vector3(0.5f, -1, 2), cloud.ViewpointOrigin);
    }

    [Fact]
    public void Reads_a_2000_point_cloud_compressed_by_pcl()
    {
        PointCloud ascii = PcdFile.Read(Fixture.Path("grid.pcd"));
        PointCloud compressed = PcdFile.Read(Fixture.Path("grid.pcl.binary_compressed.pcd"));

        Assert.Equal(2000, compressed.PointCount);
        TestClouds.AssertSame(ascii, compressed);
    }

    public static TheoryData<PcdEncoding, PointFieldType> EncodingsAndTypes()
    {
        var rows = new TheoryData<PcdEncoding, PointFieldType>();
        foreach (PcdEncoding encoding in Enum.GetValues<PcdEncoding>())
        {
            foreach (PointFieldType type in Enum.GetValues<PointFieldType>())
            {
                rows.Add(encoding, type);
            }
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(EncodingsAndTypes))]
    public void Round_trips_every_field_type(PcdEncoding encoding, PointFieldType type)
    {
        PointCloud cloud = TestClouds.EdgeValues(type, valuesPerPoint: 2);
        using var scratch = new ScratchFolder();
        string path = scratch.File("cloud.pcd");

        PcdFile.Write(path, cloud, encoding);

        TestClouds.AssertSame(cloud, PcdFile.Read(path));
    }

    [Theory]
    [InlineData(PcdEncoding.Ascii)]
    [InlineData(PcdEncoding.Binary)]
    [InlineData(PcdEncoding.BinaryCompressed)]
    public void Round_trips_organisation_viewpoint_and_the_known_cloud(PcdEncoding encoding)
    {
        PointCloud organised = new(3, 2)
        {
            ViewpointOrigin = new Vector3(1.25f, -2, 0.5f),
            ViewpointOrientation = new Quaternion(0, 0, 0.70710677f, 0.70710677f),
        };
        organised.AddField("x", PointFieldType.Float32).AsSpan<float>().Fill(float.NaN);
        using var scratch = new ScratchFolder();
        string path = scratch.File("cloud.pcd");

        PcdFile.Write(path, organised, encoding);
        PointCloud back = PcdFile.Read(path);
        PcdFile.Write(path, TestClouds.Known(), encoding);

        TestClouds.AssertSame(organised, back);
        Assert.Equal(organised.ViewpointOrigin, back.ViewpointOrigin);
        Assert.Equal(organised.ViewpointOrientation, back.ViewpointOrientation);
        TestClouds.AssertSame(TestClouds.Known(), PcdFile.Read(path));
    }

    [Fact]
    public void Round_trips_an_empty_cloud()
    {
        using var scratch = new ScratchFolder();
        var empty = new PointCloud(0);
        empty.AddField("x", PointFieldType.Float32);
        foreach (PcdEncoding encoding in Enum.GetValues<PcdEncoding>())
        {
            PcdFile.Write(scratch.File("empty.pcd"), empty, encoding);
            TestClouds.AssertSame(empty, PcdFile.Read(scratch.File("empty.pcd")));
        }
    }

    [Fact]
    public void Skips_padding_fields()
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("padded.pcd");
        File.WriteAllText(path, "VERSION .7\nFIELDS x _ y\nSIZE 4 1 4\nTYPE F U F\nCOUNT 1 4 1\nWIDTH 1\nHEIGHT 1\n" +
                                "POINTS 1\nDATA binary\n");
        using (var stream = new FileStream(path, FileMode.Append))
        {
            stream.Write(BitConverter.GetBytes(1.5f));
            stream.Write([9, 9, 9, 9]);
            stream.Write(BitConverter.GetBytes(-3f));
        }

        PointCloud cloud = PcdFile.Read(path);

        Assert.Equal(["x", "y"], cloud.Fields.Select(f => f.Name));
        Assert.Equal(-3f, cloud.FindField("y")!.AsSpan<float>()[0]);
    }
}
