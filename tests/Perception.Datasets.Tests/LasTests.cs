using Perception.Datasets.PointClouds;

namespace Perception.Datasets.Tests;

/// <summary>
/// The reader against two independent JavaScript LAS readers (copc.js 0.0.8 for LAS 1.2 and 1.4, loaders.gl 4.5.1
/// for 1.2 and 1.3): Fixtures/las holds files written from the specification and each peer's dump of them
/// (see Fixtures/README.md).
/// </summary>
public class LasTests
{
    private static readonly string[] Legacy =
    [
        "x", "y", "z", "intensity", "return_number", "number_of_returns", "scan_direction_flag",
        "edge_of_flight_line", "classification", "synthetic", "key_point", "withheld", "scan_angle_rank",
        "user_data", "point_source_id",
    ];

    private static readonly string[] Extended =
    [
        "x", "y", "z", "intensity", "return_number", "number_of_returns", "synthetic", "key_point", "withheld",
        "overlap", "scanner_channel", "scan_direction_flag", "edge_of_flight_line", "classification", "user_data",
        "scan_angle", "point_source_id", "gps_time",
    ];

    public static TheoryData<string> Fixtures() =>
    [
        "v12_f0.las", "v12_f1.las", "v12_f2.las", "v12_f3.las",
        "v13_f0.las", "v13_f1.las", "v13_f2.las", "v13_f3.las",
        "v14_f0.las", "v14_f1.las", "v14_f2.las", "v14_f3.las", "v14_f6.las", "v14_f7.las", "v14_f8.las",
        "v12_f1_vlrs.las", "v14_f6_extra.las", "v14_f8_evlr.las",
    ];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Reads_every_fixture_as_the_peers_do(string name)
    {
        string path = Fixture.Path(Path.Combine("las", name));
        List<LasPeerDump> dumps = LasPeerDump.For(path);

        PointCloud cloud = LasFile.Read(path);
        LasHeader header = LasFile.ReadHeader(path);

        Assert.NotEmpty(dumps);
        Assert.Equal(new Version(1, name[2] - '0'), header.Version);
        foreach (LasPeerDump dump in dumps)
        {
            dump.AssertMatches(header, cloud);
        }
    }

    // loaders.gl, the only peer that reads LAS 1.3, decodes coordinates, intensity, classification and colour. The
    // 1.3 fixtures hold the same records as the 1.2 ones (both from points.txt), which copc.js decodes in full, so
    // every other attribute must come out as in the 1.2 file.
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Las_1_3_attributes_equal_the_copc_checked_1_2_ones(int format)
    {
        PointCloud v13 = LasFile.Read(Fixture.Path(Path.Combine("las", $"v13_f{format}.las")));
        PointCloud v12 = LasFile.Read(Fixture.Path(Path.Combine("las", $"v12_f{format}.las")));

        Assert.Equal(v12.Fields.Select(f => f.Name), v13.Fields.Select(f => f.Name));
        foreach (PointField field in v12.Fields.Where(f => f.Name is not ("x" or "y" or "z")))
        {
            Assert.Equal(field.Bytes.ToArray(), v13.FindField(field.Name)!.Bytes.ToArray());
        }
    }

    [Theory]
    [InlineData("v12_f0.las", "")]
    [InlineData("v12_f1.las", "gps_time")]
    [InlineData("v13_f2.las", "red green blue")]
    [InlineData("v14_f3.las", "gps_time red green blue")]
    [InlineData("v12_f1_vlrs.las", "gps_time")]
    [InlineData("v14_f6.las", "")]
    [InlineData("v14_f7.las", "red green blue")]
    [InlineData("v14_f8.las", "red green blue nir")]
    public void Fields_are_the_formats_attributes_in_record_order(string name, string after)
    {
        PointCloud cloud = LasFile.Read(Fixture.Path(Path.Combine("las", name)));

        string[] standard = name.Contains("_f6", StringComparison.Ordinal) || name.Contains("_f7",
            StringComparison.Ordinal) || name.Contains("_f8", StringComparison.Ordinal) ? Extended : Legacy;
        Assert.Equal([.. standard, .. after.Split(' ', StringSplitOptions.RemoveEmptyEntries)],
            cloud.Fields.Select(f => f.Name));
        Assert.Equal(PointFieldType.Float64, cloud.FindField("x")!.Type);
        Assert.Equal(PointFieldType.UInt16, cloud.FindField("intensity")!.Type);
    }

    // Format 6 plus 11 bytes: "range" uint16 (scale 0.01, offset 100), "ring" uint8, 3 undocumented bytes,
    // "tag id" int32, and one byte no descriptor covers.
    [Fact]
    public void Extra_bytes_described_by_the_vlr_become_fields()
    {
        string path = Fixture.Path(Path.Combine("las", "v14_f6_extra.las"));
        LasPeerDump copc = LasPeerDump.Load(path + ".copc.txt");

        PointCloud cloud = LasFile.Read(path);

        Assert.Equal([.. Extended, "range", "ring", "tag_id"], cloud.Fields.Select(f => f.Name));
        Assert.Equal(PointFieldType.Float64, cloud.FindField("range")!.Type);
        Assert.Equal(copc.Column("range:raw").Select(r => (r * 0.01) + 100),
            cloud.FindField("range")!.AsSpan<double>().ToArray());
        Assert.Equal(copc.Column("ring").Select(v => (byte)v), cloud.FindField("ring")!.AsSpan<byte>().ToArray());
        Assert.Equal(copc.Column("tag_id").Select(v => (int)v), cloud.FindField("tag_id")!.AsSpan<int>().ToArray());
        Assert.Equal(110.07, cloud.FindField("range")!.GetValue(1), 1e-9);
    }

    [Fact]
    public void Point_cloud_file_reads_las_as_xyz_and_intensity()
    {
        string path = Fixture.Path(Path.Combine("las", "v14_f1.las"));
        LasPeerDump copc = LasPeerDump.Load(path + ".copc.txt");

        float[] xyzi = PointCloudFile.Read(path);

        Assert.Equal(copc.Rows.Length * 4, xyzi.Length);
        for (int p = 0; p < copc.Rows.Length; p++)
        {
            Assert.Equal((float)copc.Column("X")[p], xyzi[4 * p]);
            Assert.Equal((float)copc.Column("Z")[p], xyzi[(4 * p) + 2]);
            Assert.Equal((float)copc.Column("Intensity")[p], xyzi[(4 * p) + 3]);
        }
    }

    [Fact]
    public void Header_reports_the_layout_without_reading_the_points()
    {
        LasHeader header = LasFile.ReadHeader(Fixture.Path(Path.Combine("las", "v12_f1_vlrs.las")));

        Assert.Equal(new Version(1, 2), header.Version);
        Assert.Equal(1, header.PointFormat);
        Assert.Equal(33, header.RecordLength);
        Assert.Equal(5, header.PointCount);
        Assert.Equal(229 + 54 + 8 + 54 + 3, header.PointDataOffset);
        Assert.Equal((0.01, 0.01, 0.01), header.Scale);
        Assert.Equal((500000.0, 4300000.0, 0.0), header.Offset);
        Assert.Equal("struct LAS fixture", header.SystemIdentifier);
        Assert.Equal("generate_las_fixtures.py", header.GeneratingSoftware);
    }
}
