using System.Buffers.Binary;
using System.Text;
using Perception.Datasets.PointClouds;

namespace Perception.Datasets.Tests;

/// <summary>Damaged copies of the LAS fixtures: each fails with the file name and the field or byte at fault.</summary>
public class LasErrorTests
{
    [Fact]
    public void Wrong_signature_fails() => AssertFails("v12_f0.las", b => "LASX"u8.CopyTo(b),
        "file signature (byte 0) is 'LASX', not 'LASF': not a LAS file");

    [Fact]
    public void Empty_file_fails() => AssertFails([], "file signature (byte 0) is '', not 'LASF'");

    [Theory]
    [InlineData("v12_f0.las", 100, "header truncated: the file has 100 bytes, a LAS header needs at least 227")]
    [InlineData("v13_f0.las", 230, "header truncated: the file has 230 bytes, a LAS 1.3 header needs 235")]
    [InlineData("v14_f6.las", 300, "header truncated: the file has 300 bytes, a LAS 1.4 header needs 375")]
    public void Truncated_header_fails(string fixture, int length, string message) =>
        AssertFails(Bytes(fixture)[..length], message);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 5)]
    [InlineData(2, 0)]
    public void Unsupported_version_fails(byte major, byte minor) => AssertFails("v12_f0.las",
        b => (b[24], b[25]) = (major, minor),
        $"version {major}.{minor} (bytes 24-25) is not supported; expected 1.2, 1.3 or 1.4");

    [Fact]
    public void Header_size_below_the_versions_fails() => AssertFails("v14_f6.las", b => SetUInt16(b, 94, 235),
        "header size (byte 94) is 235; a LAS 1.4 header has at least 375 bytes");

    [Fact]
    public void Point_data_offset_past_the_end_fails() => AssertFails("v12_f0.las", b => SetUInt32(b, 96, 99999),
        "offset to point data (byte 96) is 99999; it must lie between the header size 227 and the file length 327");

    [Fact]
    public void Point_block_shorter_than_count_times_length_fails()
    {
        byte[] file = Bytes("v12_f1.las");
        AssertFails(file[..^5], "point data from byte 227 holds 135 bytes; 5 points × 28-byte records need 140");
    }

    [Fact]
    public void Count_larger_than_the_point_block_fails() => AssertFails("v14_f6.las", b => SetUInt64(b, 247, 6),
        "point data from byte 375 holds 150 bytes; 6 points × 30-byte records need 180");

    [Theory]
    [InlineData("v12_f0.las", 19, "is 19, smaller than the 20 bytes of point format 0")]
    [InlineData("v14_f8.las", 36, "is 36, smaller than the 38 bytes of point format 8")]
    public void Record_length_smaller_than_the_format_fails(string fixture, ushort length, string message) =>
        AssertFails(fixture, b => SetUInt16(b, 105, length), "point data record length (byte 105) " + message);

    [Theory]
    [InlineData(4, " (it carries waveform packets)")]
    [InlineData(5, " (it carries waveform packets)")]
    [InlineData(9, " (it carries waveform packets)")]
    [InlineData(10, " (it carries waveform packets)")]
    [InlineData(11, "")]
    [InlineData(63, "")]
    public void Unsupported_point_format_fails(byte format, string why) => AssertFails("v14_f6.las",
        b => b[104] = format, $"point data format {format} (byte 104) is not supported{why}; formats 0-3 and 6-8 are");

    [Fact]
    public void Extended_format_in_an_old_version_fails() => AssertFails("v13_f3.las", b => b[104] = 6,
        "point data format 6 (byte 104) needs LAS 1.4; the header says 1.3");

    [Theory]
    [InlineData(0x80 | 3, "0x83")]
    [InlineData(0x40 | 1, "0x41")]
    [InlineData(0xC0 | 6, "0xC6")]
    public void Laz_compressed_format_byte_fails(int formatByte, string shown) =>
        AssertFails("v14_f1.las", b => b[104] = (byte)formatByte,
            $"point data format byte (byte 104) is {shown}: the points are LAZ-compressed, which this reader " +
            "does not decode; decompress the file to plain LAS first (laszip, pdal translate)");

    [Fact]
    public void Laszip_vlr_fails_even_with_a_plain_format_byte()
    {
        // The second VLR of v12_f1_vlrs starts after the 229-byte header and the first VLR (54 + 8 bytes).
        const int second = 229 + 54 + 8;
        AssertFails("v12_f1_vlrs.las", b => Encoding.ASCII.GetBytes("laszip encoded\0\0").CopyTo(b, second + 2),
            $"VLR 1 at byte {second} is LASzip's: the points are LAZ-compressed");
    }

    [Fact]
    public void Laz_extension_reaches_the_las_reader_and_its_message()
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("scan.laz");
        byte[] file = Bytes("v14_f1.las");
        file[104] |= 0x80;
        File.WriteAllBytes(path, file);

        var error = Assert.Throws<DatasetFormatException>(() => PointCloudFile.Read(path));

        Assert.StartsWith(path + ": ", error.Message, StringComparison.Ordinal);
        Assert.Contains("LAZ-compressed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Legacy_and_64_bit_counts_that_disagree_fail() => AssertFails("v14_f1.las", b => SetUInt32(b, 107, 4),
        "legacy point count (byte 107) is 4 but the LAS 1.4 point count (byte 247) is 5");

    [Fact]
    public void Count_beyond_one_cloud_fails() => AssertFails("v14_f6.las", b => SetUInt64(b, 247, 1L << 40),
        $"point count (byte 247) is {1L << 40}; at most {int.MaxValue} points fit in one cloud");

    [Fact]
    public void Zero_scale_fails() => AssertFails("v12_f0.las", b => SetUInt64(b, 139, 0),
        "y scale factor (byte 139) is 0");

    [Fact]
    public void Vlr_count_beyond_the_vlrs_fails() => AssertFails("v12_f1_vlrs.las", b => SetUInt32(b, 100, 3),
        $"VLR 2 of 3 at byte {229 + 54 + 8 + 54} runs past the point data (byte {229 + 54 + 8 + 54 + 3})");

    [Fact]
    public void Vlr_length_past_the_point_data_fails() => AssertFails("v12_f1_vlrs.las",
        b => SetUInt16(b, 229 + 20, 100),
        "VLR 0 ('LASF_Projection' 34735) at byte 229 declares 100 bytes, running past the point data (byte 348)");

    [Fact]
    public void Extra_bytes_descriptors_longer_than_the_record_fail() => AssertFails("v14_f6_extra.las",
        b => SetUInt16(b, 105, 37),
        "extra bytes descriptor 3 ('tag id', byte 1005) ends at record byte 40, past the 37-byte point record");

    [Fact]
    public void Extra_bytes_vlr_of_a_partial_descriptor_fails() => AssertFails("v14_f6_extra.las",
        b => SetUInt16(b, 375 + 20, 191),
        "extra bytes VLR at byte 429 has 191 bytes, not a multiple of the 192-byte descriptor");

    [Fact]
    public void Undersized_block_is_reported_before_anything_is_allocated() => AssertFails("v14_f6.las",
        b => SetUInt16(b, 105, 65535),
        "point data from byte 375 holds 150 bytes; 5 points × 65535-byte records need 327675");

    private static byte[] Bytes(string fixture) => File.ReadAllBytes(Fixture.Path(Path.Combine("las", fixture)));

    private static void AssertFails(string fixture, Action<byte[]> damage, string message)
    {
        byte[] file = Bytes(fixture);
        damage(file);
        AssertFails(file, message);
    }

    private static void AssertFails(byte[] file, string message)
    {
        using var scratch = new ScratchFolder();
        string path = scratch.File("bad.las");
        File.WriteAllBytes(path, file);

        var read = Assert.Throws<DatasetFormatException>(() => LasFile.Read(path));
        var header = Assert.Throws<DatasetFormatException>(() => LasFile.ReadHeader(path));

        Assert.StartsWith(path + ": ", read.Message, StringComparison.Ordinal);
        Assert.Contains(message, read.Problem, StringComparison.Ordinal);
        Assert.Equal(read.Message, header.Message);
    }

    private static void SetUInt16(byte[] file, int at, ushort value) =>
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(at), value);

    private static void SetUInt32(byte[] file, int at, uint value) =>
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at), value);

    private static void SetUInt64(byte[] file, int at, long value) =>
        BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(at), value);
}
