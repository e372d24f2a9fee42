using Perception.Datasets.PointClouds;

namespace Perception.Datasets.Tests;

/// <summary>
/// The LAS writer: round trips through our reader, argument checks, and goldens that the JavaScript peers read
/// back (Fixtures/las/ours: our output and copc.js's / loaders.gl's dumps of it, made by generate.sh las). To
/// regenerate after a deliberate format change: PERCEPTION_UPDATE_GOLDEN=1 dotnet test --filter LasWriterTests,
/// then Fixtures/generate.sh las.
/// </summary>
public class LasWriterTests
{
    private static readonly DateOnly Created = new(2024, 6, 1);

    public static TheoryData<int, int> FormatsAndVersions()
    {
        var rows = new TheoryData<int, int>();
        foreach (int minor in new[] { 2, 3, 4 })
        {
            foreach (int format in new[] { 0, 1, 2, 3, 6, 7, 8 })
            {
                if (format < 6 || minor == 4)
                {
                    rows.Add(format, minor);
                }
            }
        }

        return rows;
    }

    // Golden name (format and version written) and the fixture it is made from.
    public static TheoryData<string, string> Goldens() => new()
    {
        { "f0_v12.las", "v12_f0.las" },
        { "f1_v14.las", "v12_f1.las" },
        { "f2_v13.las", "v13_f2.las" },
        { "f3_v12.las", "v12_f3.las" },
        { "f6_v14.las", "v14_f6.las" },
        { "f7_v14.las", "v14_f8.las" },
        { "f8_v14.las", "v14_f8.las" },
    };

    [Theory]
    [MemberData(nameof(FormatsAndVersions))]
    public void Round_trips_every_format_and_version(int format, int minor)
    {
        string source = Fixture.Path(Path.Combine("las", format < 6 ? "v12_f3.las" : "v14_f8.las"));
        PointCloud cloud = LasFile.Read(source);
        LasHeader original = LasFile.ReadHeader(source);
        using var scratch = new ScratchFolder();
        string path = scratch.File("cloud.las");

        LasFile.Write(path, cloud, new LasWriteOptions
        {
            PointFormat = format, Version = new Version(1, minor), Scale = original.Scale, Offset = original.Offset,
        });

        LasHeader header = LasFile.ReadHeader(path);
        PointCloud back = LasFile.Read(path);
        Assert.Equal((new Version(1, minor), format, cloud.PointCount), (header.Version, header.PointFormat,
            header.PointCount));
        Assert.Equal((original.Min, original.Max), (header.Min, header.Max));
        foreach (PointField field in back.Fields)
        {
            double[] expected = cloud.FindField(field.Name) is { } written
                ? Enumerable.Range(0, written.Length).Select(i => written.GetValue(i)).ToArray()
                : new double[cloud.PointCount];
            Assert.Equal(expected, Enumerable.Range(0, field.Length).Select(i => field.GetValue(i)));
        }
    }

    [Fact]
    public void Default_options_write_format_6_at_1_4_in_millimetres()
    {
        PointCloud cloud = PointCloud.FromXyzi([1.25f, -2.5f, 3.0f, 40, 100.0004f, 0.0006f, -7.123f, 65535]);
        using var scratch = new ScratchFolder();
        string path = scratch.File("cloud.las");

        LasFile.Write(path, cloud);

        LasHeader header = LasFile.ReadHeader(path);
        float[] back = LasFile.Read(path).ToXyzi();
        Assert.Equal((new Version(1, 4), 6, 30), (header.Version, header.PointFormat, header.RecordLength));
        Assert.Equal((0.001, 0.001, 0.001), header.Scale);
        Assert.Equal((1.0, -3.0, -8.0), header.Offset);
        Assert.Equal(1.25, header.Min.X, 1e-9);
        Assert.Equal(-2.5, header.Min.Y, 1e-9);
        Assert.Equal(3.0, header.Max.Z, 1e-9);
        float[] expected = [1.25f, -2.5f, 3.0f, 40, 100.0f, 0.001f, -7.123f, 65535];
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], back[i], 1e-4f);
        }
    }

    [Fact]
    public void Empty_cloud_round_trips()
    {
        var cloud = new PointCloud(0);
        cloud.AddField("x", PointFieldType.Float32);
        cloud.AddField("y", PointFieldType.Float32);
        cloud.AddField("z", PointFieldType.Float32);
        using var scratch = new ScratchFolder();
        string path = scratch.File("empty.las");

        LasFile.Write(path, cloud, new LasWriteOptions { PointFormat = 0 });

        LasHeader header = LasFile.ReadHeader(path);
        Assert.Equal((0L, 227L, 227L), (header.PointCount, header.PointDataOffset, new FileInfo(path).Length));
        Assert.Equal((0.0, 0.0, 0.0), header.Offset);
        Assert.Equal(0, LasFile.Read(path).PointCount);
        Assert.Empty(PointCloudFile.Read(path));
    }

    [Fact]
    public void Legacy_formats_keep_the_32_bit_counts_and_1_4_formats_zero_them()
    {
        using var scratch = new ScratchFolder();
        string source = Fixture.Path(Path.Combine("las", "v12_f1.las"));
        PointCloud cloud = LasFile.Read(source);
        LasHeader header = LasFile.ReadHeader(source);
        var options = new LasWriteOptions { Scale = header.Scale, Offset = header.Offset };
        string legacy = scratch.File("legacy.las");
        string extended = scratch.File("extended.las");

        LasFile.Write(legacy, cloud, options with { PointFormat = 1, Version = new Version(1, 4) });
        LasFile.Write(extended, cloud, options with { PointFormat = 6 });

        byte[] a = File.ReadAllBytes(legacy);
        byte[] b = File.ReadAllBytes(extended);
        Assert.Equal(5u, BitConverter.ToUInt32(a, 107));
        Assert.Equal(0u, BitConverter.ToUInt32(b, 107));
        Assert.Equal(5ul, BitConverter.ToUInt64(b, 247));
        Assert.Equal(0x10, BitConverter.ToUInt16(b, 6)); // WKT bit, required for formats 6-10
        Assert.Equal([1ul, 1, 1, 0, 1], Enumerable.Range(0, 5).Select(r => BitConverter.ToUInt64(b, 255 + (8 * r))));
    }

    [Theory]
    [InlineData("no z", "The cloud has no 'z' field")]
    [InlineData("classification 32 in format 0",
        "Point 1: classification = 32 does not fit the LAS attribute (0 to 31, whole numbers).")]
    [InlineData("fractional intensity", "Point 1: intensity = 2.5 does not fit the LAS attribute")]
    [InlineData("negative user data", "Point 1: user_data = -1 does not fit the LAS attribute (0 to 255")]
    [InlineData("format 4", "Point format 4 is not supported; formats 0-3 and 6-8 are.")]
    [InlineData("format 6 in 1.2", "LAS 1.2 cannot hold point format 6")]
    [InlineData("version 1.5", "LAS 1.5 cannot hold point format 1")]
    [InlineData("x beyond int32", "Point 1: x = 3000000 does not fit an int32 at scale 0.001 and offset 0.")]
    [InlineData("nan y", "Point 0: y = NaN does not fit an int32")]
    [InlineData("zero scale", "The z scale must be positive and the offset finite; got 0 and 0.")]
    [InlineData("two values per point", "Field 'intensity' has 2 values per point; LAS takes one.")]
    public void Writer_rejects_what_las_cannot_hold(string problem, string message)
    {
        var cloud = new PointCloud(2);
        foreach (string axis in problem == "no z" ? ["x", "y"] : new[] { "x", "y", "z" })
        {
            cloud.AddField(axis, PointFieldType.Float64);
        }

        var options = new LasWriteOptions { PointFormat = 1, Offset = (0, 0, 0) };
        switch (problem)
        {
            case "classification 32 in format 0":
                cloud.AddField("classification", PointFieldType.Int32).AsSpan<int>()[1] = 32;
                options = options with { PointFormat = 0 };
                break;
            case "fractional intensity":
                cloud.AddField("intensity", PointFieldType.Float32).AsSpan<float>()[1] = 2.5f;
                break;
            case "negative user data":
                cloud.AddField("user_data", PointFieldType.Int8).AsSpan<sbyte>()[1] = -1;
                break;
            case "format 4":
                options = options with { PointFormat = 4 };
                break;
            case "format 6 in 1.2":
                options = options with { PointFormat = 6, Version = new Version(1, 2) };
                break;
            case "version 1.5":
                options = options with { Version = new Version(1, 5) };
                break;
            case "x beyond int32":
                cloud.FindField("x")!.AsSpan<double>()[1] = 3e6;
                break;
            case "nan y":
                cloud.FindField("y")!.AsSpan<double>()[0] = double.NaN;
                break;
            case "zero scale":
                options = options with { Scale = (1, 1, 0) };
                break;
            case "two values per point":
                cloud.AddField("intensity", PointFieldType.UInt16, 2);
                break;
        }

        using var scratch = new ScratchFolder();
        var error = Assert.Throws<ArgumentException>(() => LasFile.Write(scratch.File("c.las"), cloud, options));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(scratch.Root));
    }

    [Theory]
    [MemberData(nameof(Goldens))]
    public void Writer_output_is_byte_stable(string name, string source)
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File(name);
        Write(path, name, source);

        if (Environment.GetEnvironmentVariable("PERCEPTION_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Fixture.SourcePath(Path.Combine("las", "ours")));
            File.Copy(path, Fixture.SourcePath(Path.Combine("las", "ours", name)), overwrite: true);
            return;
        }

        Assert.Equal(File.ReadAllBytes(Fixture.Path(Path.Combine("las", "ours", name))), File.ReadAllBytes(path));
    }

    // copc.js (1.2, 1.4) and loaders.gl (1.2, 1.3) decoded our files; what they read must be the source cloud.
    [Theory]
    [MemberData(nameof(Goldens))]
    public void Peers_read_back_what_we_wrote(string name, string source)
    {
        string golden = Fixture.Path(Path.Combine("las", "ours", name));
        List<LasPeerDump> dumps = LasPeerDump.For(golden);
        PointCloud written = LasFile.Read(Fixture.Path(Path.Combine("las", source)));

        Assert.NotEmpty(dumps);
        foreach (LasPeerDump dump in dumps)
        {
            dump.AssertMatches(LasFile.ReadHeader(golden), written);
        }
    }

    private static void Write(string path, string name, string source)
    {
        string fixture = Fixture.Path(Path.Combine("las", source));
        LasHeader header = LasFile.ReadHeader(fixture);
        LasFile.Write(path, LasFile.Read(fixture), new LasWriteOptions
        {
            PointFormat = name[1] - '0',
            Version = new Version(1, name[5] - '0'),
            Scale = header.Scale,
            Offset = header.Offset,
            CreationDate = Created,
        });
    }
}
