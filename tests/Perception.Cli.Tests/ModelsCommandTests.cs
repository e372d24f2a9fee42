using System.Text.Json;
using Pvcnn.Tests;

namespace Perception.Cli.Tests;

/// <summary>
/// `perception models --input`: MACs counted on the user's scan. The oracle is the plain-PyTorch MAC count of each
/// fixture network on the fixture scene (tests/fixtures/gen_model_fixtures.py, "macs" in its manifest); MACs depend on
/// the architecture and the scan only, so the model zoo's untrained networks of the same shape count the same.
/// </summary>
public sealed class ModelsCommandTests(ModelsCommandTests.SceneCounts counts) : IClassFixture<ModelsCommandTests.SceneCounts>
{
    [Theory]
    [InlineData("SemanticKITTI_val_MinkUNet@29GMACs", "minkunet_cr0p5")]
    [InlineData("SemanticKITTI_val_MinkUNet@46GMACs", "minkunet_cr0p64")]
    [InlineData("SemanticKITTI_val_MinkUNet@114GMACs", "minkunet_cr1p0")]
    [InlineData("SemanticKITTI_val_SPVCNN@119GMACs", "spvcnn_cr1p0")]
    public void Zoo_architecture_counts_the_references_macs_on_the_given_scan(string netId, string caseName) =>
        Assert.Equal(Reference(caseName), counts.Scan.Single(m => m.GetProperty("net_id").GetString() == netId).GetProperty("macs").GetInt64());

    [Fact]
    public void Given_checkpoint_counts_the_references_macs() =>
        Assert.Equal(Reference("spvnas_subnet"), counts.Scan[^1].GetProperty("macs").GetInt64());

    [Fact]
    public void Sequence_scans_are_averaged()
    {
        Assert.Equal(2, counts.SequenceScans);
        Assert.Equal(Reference("minkunet_cr0p5"),
            counts.Sequence.Single(m => m.GetProperty("net_id").GetString() == "SemanticKITTI_val_MinkUNet@29GMACs").GetProperty("macs").GetInt64());
    }

    [Theory]
    [InlineData("scene.xyz", "--scans", "1", "'.xyz'")]
    [InlineData("empty-sequence", "--scans", "1", "--input")]
    [InlineData("sequence", "--scans", "0", "--scans")]
    public void Bad_input_is_a_clear_error(string input, string option, string value, string named)
    {
        (int code, string output) = CliOutput.Run(["models", "--input", Path.Combine(counts.Folder, input), option, value]);

        Assert.Equal(2, code);
        Assert.Contains(named, output, StringComparison.Ordinal);
    }

    private static long Reference(string caseName) => ModelFixtures.Case(caseName).GetProperty("macs").GetInt64();

    /// <summary>Runs the command once on the fixture scene and once on a two-scan sequence of it.</summary>
    public sealed class SceneCounts : IDisposable
    {
        public SceneCounts()
        {
            string velodyne = Directory.CreateDirectory(Path.Combine(Folder, "sequence", "velodyne")).FullName;
            Directory.CreateDirectory(Path.Combine(Folder, "empty-sequence", "velodyne"));
            string scan = Path.Combine(Folder, "scene.bin");
            File.Copy(ModelFixtures.PathOf("scene.bin"), scan);
            File.Copy(scan, Path.Combine(velodyne, "000000.bin"));
            File.Copy(scan, Path.Combine(velodyne, "000001.bin"));
            File.WriteAllText(Path.Combine(Folder, "scene.xyz"), "0 0 0\n");

            Scan = Models(["--input", scan, "--model", ModelFixtures.PathOf("spvnas_subnet.pt")]).GetProperty("models").EnumerateArray().ToArray();
            JsonElement sequence = Models(["--input", Path.GetDirectoryName(velodyne)!, "--scans", "2"]);
            SequenceScans = sequence.GetProperty("scans").GetInt32();
            Sequence = sequence.GetProperty("models").EnumerateArray().ToArray();
        }

        public string Folder { get; } = Directory.CreateTempSubdirectory("perception-models-").FullName;

        public JsonElement[] Scan { get; }

        public JsonElement[] Sequence { get; }

        public int SequenceScans { get; }

        public void Dispose() => Directory.Delete(Folder, recursive: true);

        private static JsonElement Models(string[] arguments)
        {
            TextWriter previous = Console.Out;
            using var output = new StringWriter();
            Console.SetOut(output);
            try
            {
                Assert.Equal(0, Program.Run(["models", "--json", "--threads", "2", .. arguments]));
            }
            finally
            {
                Console.SetOut(previous);
            }

            return JsonDocument.Parse(output.ToString()).RootElement.Clone();
        }
    }
}
