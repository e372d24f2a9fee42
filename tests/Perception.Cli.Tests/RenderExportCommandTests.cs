using System.Buffers.Binary;
using Perception.Datasets.SemanticKitti;

namespace Perception.Cli.Tests;

/// <summary>`perception render` and `perception export` end to end on a small labelled scan in a sequence folder
/// (labels found in labels/), and their exit code 2 with a one-line message for bad input.</summary>
[Collection("cli")]
public sealed class RenderExportCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("perception-render-").FullName;
    private readonly string scan;

    public RenderExportCommandTests()
    {
        string sequence = Path.Combine(folder, "sequences", "08");
        Directory.CreateDirectory(Path.Combine(sequence, "velodyne"));
        Directory.CreateDirectory(Path.Combine(sequence, "labels"));
        scan = Path.Combine(sequence, "velodyne", "000000.bin");
        var points = new List<float>();
        var labels = new List<uint>();
        for (int i = 0; i < 400; i++)
        {
            points.AddRange([(i % 20) - 10f, (i / 20) - 10f, -1.7f, 0.3f]);
            labels.Add(i % 3 == 0 ? 10u : 40u); // car, road
        }

        points.AddRange([float.NaN, 0, 0, 0]);
        labels.Add(0);
        KittiScanFile.Write(scan, [.. points]);
        KittiLabelFile.Write(Path.Combine(sequence, "labels", "000000.label"), [.. labels]);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("bev", "auto")]
    [InlineData("orbit:45", "osmesa")]
    public void Render_writes_a_png_of_the_requested_size(string camera, string gl)
    {
        string png = Path.Combine(folder, "scan.png");
        Assert.Equal(0, Program.Run(["render", scan, "--out", png, "--camera", camera, "--size", "320x200", "--gl", gl]));

        byte[] bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        Assert.Equal((320, 200), (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20))));
        Assert.Empty(Directory.GetFiles(folder, "*.tmp*"));
    }

    [Fact]
    public void Export_writes_a_glb()
    {
        string glb = Path.Combine(folder, "scene.glb");
        Assert.Equal(0, Program.Run(["export", scan, "--out", glb, "--color", "height"]));
        Assert.Equal("glTF"u8.ToArray(), File.ReadAllBytes(glb)[..4]);
    }

    [Theory]
    [InlineData("render", "missing.bin", "--size", "320x200")]
    [InlineData("render", "SCAN", "--size", "320")]
    [InlineData("render", "SCAN", "--camera", "sideways")]
    [InlineData("render", "SCAN", "--color", "intensity", "--labels", "missing.label")]
    [InlineData("export", "missing.bin")]
    public void Bad_input_exits_with_2_and_writes_nothing(string command, string input, params string[] more)
    {
        string output = Path.Combine(folder, command == "render" ? "bad.png" : "bad.glb");
        string path = input == "SCAN" ? scan : Path.Combine(folder, input);
        string[] args = [command, path, "--out", output, .. more.Select(a => a.EndsWith(".label", StringComparison.Ordinal) ? Path.Combine(folder, a) : a)];
        Assert.Equal(2, Program.Run(args));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Bad_option_message_has_no_code_parameter_name()
    {
        (int code, string text) = CliOutput.Run(["render", scan, "--out", Path.Combine(folder, "bad.png"), "--camera", "orbit:abc"]);

        Assert.Equal(2, code);
        Assert.Contains("orbit:abc", text, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", text, StringComparison.Ordinal);
    }

    /// <summary>The readers' messages already name the file; the viewer's wrapper must not name it again.</summary>
    [Theory]
    [InlineData("cloud.xyz", "unknown point cloud extension")]
    [InlineData("short.bin", "multiple of 16")]
    public void Unreadable_input_is_named_once(string name, string problem)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, new byte[18]);

        (int code, string text) = CliOutput.Run(["render", path, "--out", Path.Combine(folder, "bad.png")]);

        Assert.Equal(2, code);
        Assert.Contains(problem, text, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, System.Text.RegularExpressions.Regex.Escape(path)));
    }
}
