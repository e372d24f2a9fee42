using System.Buffers.Binary;
using System.Numerics;
using System.Text.Json;
using Perception.Viewer.Export;
using Perception.Viewer.Scenes;

namespace Perception.Viewer.Tests;

/// <summary>Exported scenes pass Khronos's validator with zero errors, and carry what was put in.</summary>
public sealed class GltfExportTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("perception-gltf-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData(PointColoring.Class)]
    [InlineData(PointColoring.Height)]
    [InlineData(PointColoring.Intensity)]
    public void The_street_passes_the_Khronos_validator_with_no_errors(PointColoring coloring)
    {
        Scene street = TestScenes.Street();
        Scene scene = SceneBuilder.Build(street.Cloud, coloring, [new OrientedBox(new Vector3(5, 3, -0.9f), new Vector3(4, 2, 1.5f), 0.3f)]);
        string path = Path.Combine(folder, "street.glb");
        GltfExport.Write(path, scene);

        JsonElement report = GltfValidator.Validate(path);
        JsonElement issues = report.GetProperty("issues");
        Assert.True(issues.GetProperty("numErrors").GetInt32() == 0, GltfValidator.Messages(report, 0));
        Assert.True(issues.GetProperty("numWarnings").GetInt32() == 0, GltfValidator.Messages(report, 1));
        JsonElement info = report.GetProperty("info");
        Assert.Equal(scene.Cloud.Count + scene.BoxEdges.VertexCount + scene.Grid.VertexCount + scene.Axes.VertexCount,
            info.GetProperty("totalVertexCount").GetInt32());
        Assert.Equal(4, info.GetProperty("drawCallCount").GetInt32());
    }

    [Fact]
    public void The_validator_rejects_a_broken_file_so_its_verdict_means_something()
    {
        string path = Path.Combine(folder, "broken.glb");
        GltfExport.Write(path, TestScenes.Street());
        byte[] bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)bytes.Length + 4); // header length lies
        File.WriteAllBytes(path, bytes);
        Assert.True(GltfValidator.Validate(path).GetProperty("issues").GetProperty("numErrors").GetInt32() > 0);
    }

    [Fact]
    public void Points_positions_colours_classes_and_the_legend_round_trip()
    {
        Scene scene = SceneBuilder.Build(TestScenes.Points(
            (new Vector3(1, 2, 3), TestScenes.Red), (new Vector3(-4, 5, -6), TestScenes.Blue), (new Vector3(7, -8, 9), TestScenes.Red)));
        string path = Path.Combine(folder, "three.glb");
        GltfExport.Write(path, scene);

        (JsonElement json, byte[] bin) = ReadGlb(path);
        JsonElement points = json.GetProperty("meshes")[0];
        JsonElement attributes = points.GetProperty("primitives")[0].GetProperty("attributes");
        Assert.Equal(0, points.GetProperty("primitives")[0].GetProperty("mode").GetInt32());
        Assert.Equal([1f, 2, 3, -4, 5, -6, 7, -8, 9], Floats(json, bin, attributes.GetProperty("POSITION").GetInt32(), 9));
        JsonElement position = json.GetProperty("accessors")[attributes.GetProperty("POSITION").GetInt32()];
        Assert.Equal("[-4,-8,-6]", position.GetProperty("min").GetRawText());
        Assert.Equal("[7,5,9]", position.GetProperty("max").GetRawText());
        Assert.Equal([255, 0, 0, 255, 0, 0, 255, 255, 255, 0, 0, 255],
            View(json, bin, attributes.GetProperty("COLOR_0").GetInt32()).ToArray());
        ReadOnlySpan<byte> classes = View(json, bin, attributes.GetProperty("_CLASS").GetInt32());
        Assert.Equal([19, 5, 19], new[] { classes[0], classes[4], classes[8] });

        JsonElement legend = points.GetProperty("extras").GetProperty("classes");
        Assert.Equal("""[{"id":5,"name":"other-vehicle","color":[0,0,255],"points":1},{"id":19,"name":"traffic-sign","color":[255,0,0],"points":2}]""",
            legend.GetRawText());
    }

    private static (JsonElement Json, byte[] Bin) ReadGlb(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        Assert.Equal("glTF"u8.ToArray(), file[..4]);
        int jsonLength = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(12));
        JsonElement json = JsonDocument.Parse(file.AsMemory(20, jsonLength)).RootElement;
        int binLength = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(20 + jsonLength));
        return (json, file.AsSpan(28 + jsonLength, binLength).ToArray());
    }

    private static ReadOnlySpan<byte> View(JsonElement json, byte[] bin, int accessor)
    {
        JsonElement view = json.GetProperty("bufferViews")[json.GetProperty("accessors")[accessor].GetProperty("bufferView").GetInt32()];
        return bin.AsSpan(view.GetProperty("byteOffset").GetInt32(), view.GetProperty("byteLength").GetInt32());
    }

    private static float[] Floats(JsonElement json, byte[] bin, int accessor, int count)
    {
        byte[] bytes = View(json, bin, accessor).ToArray();
        return [.. Enumerable.Range(0, count).Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4)))];
    }
}
