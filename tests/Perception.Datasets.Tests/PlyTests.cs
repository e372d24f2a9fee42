using Perception.Datasets.PointClouds;

namespace Perception.Datasets.Tests;

public class PlyTests
{
    [Fact]
    public void Reads_a_hand_written_ascii_file_with_lists_around_the_vertices()
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("hand.ply");
        File.WriteAllText(path, """
            ply
            format ascii 1.0
            comment faces first, a list inside the vertex, a camera after
            element face 2
            property list uchar int vertex_indices
            element vertex 2
            property double z
            property list uchar float extra
            property float x
            property float y
            property ushort scalar_intensity
            element camera 1
            property float focal
            end_header
            3 0 1 2
            4 0 1 1 0
            -1.5 2 7 8 10 20 300
            0.25 0 11 21 65535
            35
            """);

        PointCloud cloud = PlyFile.Read(path);

        Assert.Equal(["z", "x", "y", "scalar_intensity"], cloud.Fields.Select(f => f.Name));
        Assert.Equal([-1.5, 0.25], cloud.FindField("z")!.AsSpan<double>().ToArray());
        Assert.Equal([10, 20, -1.5f, 300, 11, 21, 0.25f, 65535], cloud.ToXyzi());
    }

    // PCL 1.13 wrote these from known_ply.pcd: the vertices, an empty face element and a camera element.
    [Theory]
    [InlineData("known.pcl.binary_le.ply")]
    [InlineData("known.pcl.ascii.ply")]
    public void Reads_the_known_cloud_from_pcl_files(string name)
    {
        PointCloud expected = TestClouds.KnownForPly();
        if (name.Contains("ascii", StringComparison.Ordinal))
        {
            // PCL's ascii PLY writer prints doubles with 6 significant digits.
            expected.FindField("time")!.AsSpan<double>()[0] = 1.7e9;
        }

        TestClouds.AssertSame(expected, PlyFile.Read(Fixture.Path(name)));
    }

    // VTK (inside pcl_converter) wrote a tetrahedron: 4 vertices, then 4 faces with list properties.
    [Fact]
    public void Reads_a_vtk_mesh_and_skips_its_faces()
    {
        PointCloud cloud = PlyFile.Read(Fixture.Path("tetra.vtk.binary_le.ply"));

        Assert.Equal(["x", "y", "z"], cloud.Fields.Select(f => f.Name));
        Assert.Equal([0, 1, 0, 0f], cloud.FindField("x")!.AsSpan<float>().ToArray());
        Assert.Equal([0, 0, 0, 1f], cloud.FindField("z")!.AsSpan<float>().ToArray());
    }

    // Written with Python's struct from the format description: faces (lists) before the vertices, a camera with
    // a list after them, mixed property types, both byte orders.
    [Theory]
    [InlineData("faces.struct.binary_be.ply")]
    [InlineData("faces.struct.binary_le.ply")]
    [InlineData("faces.struct.ascii.ply")]
    public void Reads_struct_written_files_in_every_encoding(string name)
    {
        PointCloud cloud = PlyFile.Read(Fixture.Path(name));

        Assert.Equal(["x", "y", "z", "reflectance", "ring", "tag"], cloud.Fields.Select(f => f.Name));
        Assert.Equal(PointFieldType.Float64, cloud.FindField("z")!.Type);
        Assert.Equal([1, 2, 3, 0.25f, -1.5f, 0, 2.5f, 1, 4, 5, 6, 0], cloud.ToXyzi());
        Assert.Equal([7, 65535, 0], cloud.FindField("ring")!.AsSpan<ushort>().ToArray());
        Assert.Equal([-3, 127, -128], cloud.FindField("tag")!.AsSpan<sbyte>().ToArray());
    }

    public static TheoryData<PlyEncoding, PointFieldType> EncodingsAndTypes()
    {
        var rows = new TheoryData<PlyEncoding, PointFieldType>();
        foreach (PlyEncoding encoding in Enum.GetValues<PlyEncoding>())
        {
            foreach (PointFieldType type in Enum.GetValues<PointFieldType>())
            {
                if (type is not (PointFieldType.Int64 or PointFieldType.UInt64))
                {
                    rows.Add(encoding, type);
                }
            }
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(EncodingsAndTypes))]
    public void Round_trips_every_property_type(PlyEncoding encoding, PointFieldType type)
    {
        PointCloud cloud = TestClouds.EdgeValues(type, valuesPerPoint: 1);
        using var scratch = new ScratchFolder();
        string path = scratch.File("cloud.ply");

        PlyFile.Write(path, cloud, encoding);

        TestClouds.AssertSame(cloud, PlyFile.Read(path));
    }

    [Theory]
    [InlineData(PlyEncoding.Ascii)]
    [InlineData(PlyEncoding.BinaryLittleEndian)]
    [InlineData(PlyEncoding.BinaryBigEndian)]
    public void Round_trips_the_known_cloud(PlyEncoding encoding)
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("cloud.ply");

        PlyFile.Write(path, TestClouds.KnownForPly(), encoding);

        TestClouds.AssertSame(TestClouds.KnownForPly(), PlyFile.Read(path));
    }

    [Theory]
    [InlineData(PointFieldType.Int64, 1, "PLY has no Int64 property type")]
    [InlineData(PointFieldType.Float32, 3, "Field 'value' has 3 values per point")]
    public void Writer_rejects_fields_ply_cannot_hold(PointFieldType type, int count, string message)
    {
        var cloud = new PointCloud(1);
        cloud.AddField("value", type, count);
        using var scratch = new ScratchFolder();

        var error = Assert.Throws<ArgumentException>(() => PlyFile.Write(scratch.File("c.ply"), cloud));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(scratch.Root));
    }
}
