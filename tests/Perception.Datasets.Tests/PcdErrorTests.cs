using System.Text;
using Perception.Datasets.PointClouds;

namespace Perception.Datasets.Tests;

public class PcdErrorTests
{
    private const string Header =
        "VERSION 0.7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 1\nWIDTH 2\nHEIGHT 1\nPOINTS 2\n";

    [Theory]
    [InlineData("VERSION 0.7\nSIZE 4\nTYPE F\nWIDTH 1\nPOINTS 1\nDATA ascii\n1\n",
        "header has no FIELDS line (DATA at line 6)")]
    [InlineData("VERSION 0.7\nFIELDS x y\nSIZE 4\nTYPE F F\nWIDTH 1\nDATA ascii\n1 2\n",
        "line 3 (SIZE): 1 values for 2 FIELDS")]
    [InlineData("FIELDS x\nSIZE 2\nTYPE F\nWIDTH 1\nDATA ascii\n1\n",
        "line 3 (TYPE): field 'x' has TYPE 'F' with SIZE 2")]
    [InlineData("FIELDS x\nSIZE 4\nTYPE Q\nWIDTH 1\nDATA ascii\n1\n", "field 'x' has TYPE 'Q'")]
    [InlineData("FIELDS x\nSIZE 4\nTYPE F\nCOUNT 0\nWIDTH 1\nDATA ascii\n1\n",
        "line 4 (COUNT): field 'x': '0' is not an integer >= 1")]
    [InlineData("FIELDS x x\nSIZE 4 4\nTYPE F F\nWIDTH 1\nDATA ascii\n1 2\n",
        "line 1 (FIELDS): field 'x' is declared twice")]
    [InlineData("FIELDS x\nSIZE 4\nTYPE F\nWIDTH 1\nCOLOR red\nDATA ascii\n1\n",
        "line 5: 'COLOR' is not a PCD header keyword")]
    [InlineData("FIELDS x\nSIZE 4\nTYPE F\nWIDTH 1\nWIDTH 1\nDATA ascii\n1\n",
        "line 5: WIDTH appears twice (first at line 4)")]
    [InlineData("FIELDS x\nSIZE 4\nTYPE F\nWIDTH 1\n", "header ends at line 4 without a DATA line")]
    [InlineData("FIELDS x\nSIZE 4\nTYPE F\nWIDTH 1\nDATA zip\n",
        "line 5 (DATA): 'zip' is not ascii, binary or binary_compressed")]
    [InlineData("VERSION 2.0\nFIELDS x\nSIZE 4\nTYPE F\nWIDTH 1\nDATA ascii\n1\n",
        "line 1 (VERSION): '2.0' is not a supported version")]
    [InlineData("FIELDS x\nSIZE 4\nTYPE F\nWIDTH 2\nHEIGHT 2\nPOINTS 3\nDATA ascii\n1\n",
        "line 6 (POINTS): POINTS 3 is not WIDTH × HEIGHT = 2 × 2")]
    [InlineData("FIELDS x\nSIZE 4\nTYPE F\nVIEWPOINT 0 0 0 1 0 0\nWIDTH 1\nDATA ascii\n1\n",
        "line 4 (VIEWPOINT): expected 7 values")]
    [InlineData("FIELDS x\nSIZE 4\nTYPE F\nWIDTH -1\nDATA ascii\n1\n",
        "line 4 (WIDTH): '-1' is not an integer >= 0")]
    [InlineData("FIELDS x\nSIZE 4\nTYPE F\nWIDTH 100000\nHEIGHT 100000\nDATA binary\n",
        "line 5 (HEIGHT): WIDTH × HEIGHT = 100000 × 100000 is more points")]
    [InlineData("FIELDS x\nSIZE 8\nTYPE F\nCOUNT 1000000000\nWIDTH 1\nDATA binary\n",
        "line 4 (COUNT): one point record would exceed 1 GiB")]
    public void Malformed_headers_name_the_line_and_field(string content, string message) =>
        AssertFails(Encoding.ASCII.GetBytes(content), message);

    // The header splits on spaces and tabs only; other white space stays inside a name, which no field can take.
    [Theory]
    [InlineData("\v", "000B")]
    [InlineData("\f", "000C")]
    [InlineData("\u0085", "0085")]
    [InlineData("\u00A0", "00A0")]
    public void Field_names_with_other_white_space_fail(string space, string code) =>
        AssertFails(Encoding.Latin1.GetBytes($"FIELDS x y{space}z\nSIZE 4 4\nTYPE F F\nWIDTH 1\nDATA ascii\n1 2\n"),
            $"line 1 (FIELDS): field 'y{space}z' has white space (U+{code}) in its name");

    // With POINTS 0 no data length bounds the values per point, so COUNTs claiming a billion must size nothing.
    [Fact]
    public void Zero_points_with_a_billion_values_per_point_allocate_nothing()
    {
        const string header = "FIELDS x\nSIZE 1\nTYPE U\nCOUNT 1000000000\nWIDTH 0\nPOINTS 0\nDATA ascii\n";
        long before = GC.GetAllocatedBytesForCurrentThread();
        AssertFails(Encoding.ASCII.GetBytes(header + "7\n"), "line 8: more ascii data than POINTS 0 declares");

        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1 << 20);
    }

    [Theory]
    [InlineData("DATA ascii\n1 2 3\n", "ascii data from line 10 has 6 bytes, too short for POINTS 2 × 3 values")]
    [InlineData("DATA ascii\n1 2 3\n4 5  \n", "line 11: 2 values; the header declares 3 per point")]
    [InlineData("DATA ascii\n1 2 3\n4 5 6 7\n", "line 11: more than 3 values")]
    [InlineData("DATA ascii\n1 2 3\n4 five 6\n", "line 11, field 'y': 'five' is not a Float32")]
    [InlineData("DATA ascii\n1 2 3\n\n4 5 6\n7 8 9\n", "line 13: more ascii data than POINTS 2 declares")]
    [InlineData("DATA ascii\n1 2 3 4 5 6\n", "line 10: more than 3 values")]
    [InlineData("DATA ascii\n1.000 2.000 3.000\n", "ascii data ends after 1 of POINTS 2 points")]
    public void Ascii_data_that_disagrees_with_the_header_fails(string data, string message) =>
        AssertFails(Encoding.ASCII.GetBytes(Header + data), message);

    [Theory]
    [InlineData("FIELDS v\nSIZE 1\nTYPE U\nWIDTH 1\nDATA ascii\n256\n", "line 6, field 'v': '256' is not a UInt8")]
    [InlineData("FIELDS v\nSIZE 2\nTYPE I\nWIDTH 1\nDATA ascii\n-32769\n", "'-32769' is not a Int16")]
    [InlineData("FIELDS v\nSIZE 4\nTYPE U\nWIDTH 1\nDATA ascii\n-1\n", "'-1' is not a UInt32")]
    [InlineData("FIELDS v\nSIZE 4\nTYPE I\nWIDTH 1\nDATA ascii\n1.5\n", "'1.5' is not a Int32")]
    public void Integer_values_out_of_range_fail(string content, string message) =>
        AssertFails(Encoding.ASCII.GetBytes(content), message);

    [Fact]
    public void Binary_data_shorter_than_points_fails()
    {
        byte[] file = [.. Encoding.ASCII.GetBytes(Header + "DATA binary\n"), .. new byte[23]];
        AssertFails(file, "binary data from byte 97 holds 23 bytes; POINTS 2 × 12-byte records needs 24");
    }

    [Fact]
    public void Compressed_data_cut_short_fails()
    {
        byte[] valid = CompressedFile();
        AssertFails(valid[..^3], "binary_compressed declares");
        int data = DataOffset(valid);
        AssertFails(valid[..(data + 5)], "the 8-byte size header alone needs 8");
    }

    [Fact]
    public void Compressed_size_header_that_lies_fails()
    {
        byte[] file = CompressedFile();
        int data = DataOffset(file);
        file[data + 4]++;
        AssertFails(file, "binary_compressed uncompressed size is 49 bytes; POINTS 2 × 24-byte records needs 48");
    }

    // A header asking for gigabytes from a few bytes must fail before allocating anything.
    [Fact]
    public void Compressed_expansion_beyond_lzf_limits_fails()
    {
        string header = "FIELDS x\nSIZE 8\nTYPE F\nWIDTH 100000000\nDATA binary_compressed\n";
        byte[] file = [.. Encoding.ASCII.GetBytes(header), .. BitConverter.GetBytes(4u),
            .. BitConverter.GetBytes(800_000_000u), 0, 0, 0, 0];
        AssertFails(file, "4 LZF bytes cannot expand to 800000000");
    }

    [Fact]
    public void Corrupt_compressed_stream_fails_with_its_byte_offset()
    {
        byte[] file = CompressedFile();
        int data = DataOffset(file);
        file[data + 8] = 0xE0; // first command becomes a back reference into nothing
        AssertFails(file, $"binary_compressed data starting at byte {data + 8}: LZF stream is corrupt at input byte 0");
    }

    private static byte[] CompressedFile()
    {
        var cloud = new PointCloud(2);
        foreach (string name in new[] { "x", "y", "z" })
        {
            cloud.AddField(name, PointFieldType.Float64).AsSpan<double>().Fill(name.Length);
        }

        using var scratch = new ScratchFolder();
        PcdFile.Write(scratch.File("c.pcd"), cloud, PcdEncoding.BinaryCompressed);
        return File.ReadAllBytes(scratch.File("c.pcd"));
    }

    private static int DataOffset(byte[] file) =>
        file.AsSpan().IndexOf("binary_compressed\n"u8) + "binary_compressed\n".Length;

    private static void AssertFails(byte[] content, string message)
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("bad.pcd");
        File.WriteAllBytes(path, content);
        var error = Assert.Throws<DatasetFormatException>(() => PcdFile.Read(path));
        Assert.Equal(path, error.FilePath);
        Assert.True(error.Message.Contains(message, StringComparison.Ordinal), error.Message);
        Assert.StartsWith(path + ": ", error.Message, StringComparison.Ordinal);
    }
}
