using System.Text;
using Perception.Datasets.PointClouds;

namespace Perception.Datasets.Tests;

public class PlyErrorTests
{
    private const string Vertex = "element vertex 2\nproperty float x\nproperty float y\n";

    [Theory]
    [InlineData("ply\nformat binary_middle_endian 1.0\n" + Vertex + "end_header\n",
        "line 2: unsupported format line 'format binary_middle_endian 1.0'")]
    [InlineData("ply\nformat ascii 2.0\n" + Vertex + "end_header\n",
        "line 2: unsupported format line 'format ascii 2.0'")]
    [InlineData("PLY\nformat ascii 1.0\n", "line 1 is 'PLY', not 'ply': not a PLY file")]
    [InlineData("ply\nformat ascii 1.0\n" + Vertex, "header ends at line 5 without end_header")]
    [InlineData("ply\n" + Vertex + "end_header\n", "header has no format line (end_header at line 5)")]
    [InlineData("ply\nformat ascii 1.0\nelement vertex 1\nproperty half x\nend_header\n0\n",
        "line 4, property 'x': unknown type 'half'")]
    [InlineData("ply\nformat ascii 1.0\nelement vertex 1\nproperty int64 x\nend_header\n0\n", "unknown type 'int64'")]
    [InlineData("ply\nformat ascii 1.0\nelement vertex 1\nproperty list float int v\nend_header\n0\n",
        "line 4, property 'v': list count type 'float' is not an integer type")]
    [InlineData("ply\nformat ascii 1.0\nproperty float x\nend_header\n", "line 3: property before any element")]
    [InlineData("ply\nformat ascii 1.0\nelement vertex -1\nend_header\n", "line 3: expected 'element <name> <count>'")]
    [InlineData("ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float x\nend_header\n",
        "line 5: element 'vertex' has property 'x' twice")]
    [InlineData("ply\nformat ascii 1.0\nelement face 1\nproperty float x\nend_header\n",
        "header declares no vertex element")]
    [InlineData("ply\nformat ascii 1.0\nelements vertex 1\nend_header\n",
        "line 3: 'elements' is not a PLY header keyword")]
    // Property-less vertices take no bytes: 50 header bytes claimed a cloud of two billion empty points.
    [InlineData("ply\nformat binary_little_endian 1.0\nelement vertex 2147483647\nend_header\n",
        "element 'vertex' declares 2147483647 vertices but no properties")]
    public void Malformed_headers_name_the_line(string content, string message) =>
        AssertFails(Encoding.ASCII.GetBytes(content), message);

    // The header splits on spaces and tabs only; a vertex property becomes a field, whose name cannot hold white space.
    [Fact]
    public void Vertex_property_name_with_other_white_space_fails() =>
        AssertFails(Encoding.Latin1.GetBytes("ply\nformat binary_little_endian 1.0\nelement vertex 1\n" +
                                             "property float x\u00A0y\nend_header\n\0\0\0\0"),
            "line 4, property 'x\u00A0y': white space (U+00A0) in the name");

    [Theory]
    [InlineData("1 2\n3  \n", "ascii data ends (line 8) in vertex 1 of 2, property 'y'")]
    [InlineData("1 2\n3 four\n", "line 8, vertex 1, property 'y': 'four' is not a Float32")]
    [InlineData("1\n", "ascii data has 2 bytes, too short for 2 vertices × 2 properties")]
    public void Ascii_data_that_disagrees_with_the_header_fails(string data, string message) =>
        AssertFails(Encoding.ASCII.GetBytes("ply\nformat ascii 1.0\n" + Vertex + "end_header\n" + data), message);

    [Fact]
    public void Ascii_list_with_a_bad_length_fails()
    {
        string text = "ply\nformat ascii 1.0\nelement face 1\nproperty list uchar int v\n" + Vertex + "end_header\n" +
                      "x 1 2\n1 2 3 4\n";
        AssertFails(Encoding.ASCII.GetBytes(text), "line 9, face 0, list 'v': 'x' is not a list length");
    }

    [Fact]
    public void Truncated_binary_vertices_fail()
    {
        byte[] file = [.. Encoding.ASCII.GetBytes("ply\nformat binary_little_endian 1.0\n" + Vertex + "end_header\n"),
            .. new byte[15]];
        AssertFails(file, "element 'vertex' needs at least 16 bytes from byte 98; the file has 15");
    }

    [Fact]
    public void Binary_list_running_past_the_end_fails()
    {
        string header = "ply\nformat binary_big_endian 1.0\nelement face 1\nproperty list uint int v\n" + Vertex +
                        "end_header\n";
        byte[] file = [.. Encoding.ASCII.GetBytes(header), 0, 0, 1, 0, 1, 2, 3, 4];
        AssertFails(file, $"element 'face' 0, property 'v' at byte {header.Length} runs past the end of the file");
    }

    [Fact]
    public void Binary_list_with_a_negative_length_fails()
    {
        string header = "ply\nformat binary_little_endian 1.0\nelement face 1\nproperty list char int v\n" + Vertex +
                        "end_header\n";
        byte[] file = [.. Encoding.ASCII.GetBytes(header), 0xFF, .. new byte[16]];
        AssertFails(file, $"element 'face' 0, list 'v' at byte {header.Length}: count -1");
    }

    // Two billion instances of an element without properties hold no values: skipped at once, not counted through.
    [Theory]
    [InlineData("ascii")]
    [InlineData("binary_little_endian")]
    public void Huge_elements_without_properties_are_skipped_at_once(string format)
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("empty-elements.ply");
        File.WriteAllText(path, $"ply\nformat {format} 1.0\nelement nothing 2147483647\nelement vertex 0\n" +
                                "property float x\nend_header\n");

        Assert.Equal(0, PlyFile.Read(path).PointCount);
    }

    private static void AssertFails(byte[] content, string message)
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("bad.ply");
        File.WriteAllBytes(path, content);
        var error = Assert.Throws<DatasetFormatException>(() => PlyFile.Read(path));
        Assert.Equal(path, error.FilePath);
        Assert.True(error.Message.Contains(message, StringComparison.Ordinal), error.Message);
    }
}
