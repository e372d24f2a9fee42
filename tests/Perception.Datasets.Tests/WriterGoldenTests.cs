using Perception.Datasets.PointClouds;

namespace Perception.Datasets.Tests;

/// <summary>
/// Our writers' output, checked by a real peer: Fixtures/ours holds what the writers produce (the first test keeps
/// those bytes stable) and, next to each file, PCL 1.13's ascii decoding of it (name.pcl.pcd, made by
/// generate_fixtures.py --decode-ours). The second test checks that PCL read back exactly the cloud we wrote.
/// To regenerate after a deliberate format change: PERCEPTION_UPDATE_GOLDEN=1 dotnet test --filter WriterGolden,
/// then Fixtures/generate.sh --decode-ours.
/// </summary>
public class WriterGoldenTests
{
    public static TheoryData<string> Goldens() =>
    [
        "known.ascii.pcd", "known.binary.pcd", "known.binary_compressed.pcd", "grid.binary_compressed.pcd",
        "known.ascii.ply", "known.binary_le.ply", "known.binary_be.ply",
    ];

    [Theory]
    [MemberData(nameof(Goldens))]
    public void Writer_output_is_byte_stable(string name)
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File(name);
        Write(path, name);

        if (Environment.GetEnvironmentVariable("PERCEPTION_UPDATE_GOLDEN") == "1")
        {
            File.Copy(path, Fixture.SourcePath(Path.Combine("ours", name)), overwrite: true);
            return;
        }

        Assert.Equal(File.ReadAllBytes(Fixture.Path(Path.Combine("ours", name))), File.ReadAllBytes(path));
    }

    [Theory]
    [MemberData(nameof(Goldens))]
    public void Pcl_reads_back_what_we_wrote(string name)
    {
        string decoded = Fixture.Path(Path.Combine("ours", name + ".pcl.pcd"));

        TestClouds.AssertSame(Source(name), PcdFile.Read(decoded));
    }

    private static PointCloud Source(string name) =>
        name.StartsWith("grid", StringComparison.Ordinal) ? PcdFile.Read(Fixture.Path("grid.pcd"))
        : name.EndsWith(".ply", StringComparison.Ordinal) ? TestClouds.KnownForPly()
        : TestClouds.Known();

    private static void Write(string path, string name)
    {
        PointCloud cloud = Source(name);
        switch (name.Split('.')[1])
        {
            case "ascii" when name.EndsWith(".pcd", StringComparison.Ordinal):
                PcdFile.Write(path, cloud, PcdEncoding.Ascii);
                break;
            case "binary":
                PcdFile.Write(path, cloud, PcdEncoding.Binary);
                break;
            case "binary_compressed":
                PcdFile.Write(path, cloud, PcdEncoding.BinaryCompressed);
                break;
            case "ascii":
                PlyFile.Write(path, cloud, PlyEncoding.Ascii);
                break;
            case "binary_le":
                PlyFile.Write(path, cloud, PlyEncoding.BinaryLittleEndian);
                break;
            default:
                PlyFile.Write(path, cloud, PlyEncoding.BinaryBigEndian);
                break;
        }
    }
}
