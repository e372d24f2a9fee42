using Perception.Ros2.Cdr;
using Perception.Ros2.Messages;

namespace Perception.Ros2.Tests;

/// <summary>CDR bytes against the Cyclone DDS 0.10.2 wire capture in ros-interop.md §3.4, and malformed payloads.</summary>
public sealed class CdrWireTests
{
    // One PointCloud2 as Cyclone put it on the wire: stamp 5 s / 6 ns, frame "map", one FLOAT32 field "x",
    // data 01 02 03 04, is_dense; options = 3 (the trailing padding after is_dense).
    private static readonly byte[] CycloneCapture = Convert.FromHexString(
        "00010003" + "05000000" + "06000000" + "04000000" + "6d617000" + "01000000" + "01000000" + "01000000" +
        "02000000" + "7800" + "0000" + "00000000" + "07000000" + "01000000" + "00000000" + "04000000" + "04000000" +
        "04000000" + "01020304" + "01000000");

    private static PointCloud2 CaptureCloud() => new()
    {
        Header = new Header(new Time(5, 6), "map"),
        Width = 1,
        Fields = [new PointField("x", 0, PointFieldDatatype.Float32)],
        PointStep = 4,
        RowStep = 4,
        Data = new byte[] { 1, 2, 3, 4 },
    };

    [Fact]
    public void The_capture_is_76_bytes() => Assert.Equal(76, CycloneCapture.Length);

    [Fact]
    public void Our_bytes_equal_the_capture_with_options_zero_and_no_trailing_padding()
    {
        byte[] ours = RosSerialization.Serialize(CaptureCloud());

        Assert.Equal("00010000", Convert.ToHexString(ours, 0, 4));
        Assert.Equal(Convert.ToHexString(CycloneCapture, 4, 69), Convert.ToHexString(ours, 4, ours.Length - 4));
        Assert.Equal(73, ours.Length);
    }

    [Fact]
    public void The_capture_decodes_field_by_field()
    {
        PointCloud2 cloud = RosSerialization.Deserialize<PointCloud2>(CycloneCapture);

        Assert.Equal(new Time(5, 6), cloud.Header.Stamp);
        Assert.Equal("map", cloud.Header.FrameId);
        Assert.Equal((1u, 1u, 4u, 4u), (cloud.Height, cloud.Width, cloud.PointStep, cloud.RowStep));
        Assert.Equal(new PointField("x", 0, PointFieldDatatype.Float32, 1), Assert.Single(cloud.Fields));
        Assert.False(cloud.IsBigEndian);
        Assert.Equal([1, 2, 3, 4], cloud.Data.ToArray());
        Assert.True(cloud.IsDense);
    }

    [Fact]
    public void Big_endian_payloads_decode()
    {
        var big = new byte[] { 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 4, (byte)'m', (byte)'a', (byte)'p', 0 };

        Assert.Equal(new Header(new Time(5, 6), "map"), RosSerialization.Deserialize<Header>(big));
    }

    [Fact]
    public void Every_truncation_of_every_message_is_a_CdrFormatException()
    {
        foreach ((RosMessageType type, byte[] cdr, _) in TestMessages.All())
        {
            for (int length = 0; length < cdr.Length; length++)
            {
                Exception e = Record.Exception(() => Decode(type, cdr.AsMemory(0, length)));
                Assert.True(e is CdrFormatException, $"{type.RosName} cut at {length}: {e?.GetType().Name ?? "no error"}");
            }
        }
    }

    [Theory]
    [InlineData(28, "fields")] // the PointField count of the capture
    [InlineData(64, "data")] // the data length
    [InlineData(12, "header.frame_id")] // the frame_id length
    public void A_huge_length_is_refused_naming_the_field(int offset, string field)
    {
        byte[] corrupt = CycloneCapture.ToArray();
        BitConverter.GetBytes(0xFFFFFFF0u).CopyTo(corrupt, offset);

        var e = Assert.Throws<CdrFormatException>(() => RosSerialization.Deserialize<PointCloud2>(corrupt));
        Assert.Equal(field, e.Field);
        Assert.Contains("4294967280", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00020000")] // PL_CDR_BE
    [InlineData("01010000")]
    [InlineData("0007")]
    public void Other_encapsulations_are_refused(string header)
    {
        byte[] payload = [.. Convert.FromHexString(header), .. new byte[16]];

        Assert.Throws<CdrFormatException>(() => RosSerialization.Deserialize<Header>(payload));
    }

    [Fact]
    public void A_string_without_its_NUL_is_refused()
    {
        byte[] payload = Convert.FromHexString("00010000" + "05000000" + "06000000" + "03000000" + "6d6170");

        Assert.Equal("header.frame_id", Assert.Throws<CdrFormatException>(() => RosSerialization.Deserialize<Header>(payload)).Field);
    }

    internal static object Decode(RosMessageType type, ReadOnlyMemory<byte> cdr) => type.Name switch
    {
        "PointCloud2" => RosSerialization.Deserialize<PointCloud2>(cdr),
        "Detection3DArray" => RosSerialization.Deserialize<Detection3DArray>(cdr),
        "MarkerArray" => RosSerialization.Deserialize<MarkerArray>(cdr),
        "TwistStamped" => RosSerialization.Deserialize<TwistStamped>(cdr),
        "AckermannDriveStamped" => RosSerialization.Deserialize<AckermannDriveStamped>(cdr),
        _ => RosSerialization.Deserialize<DiagnosticArray>(cdr),
    };

    internal static byte[] Reencode(object message) => message switch
    {
        PointCloud2 m => RosSerialization.Serialize(m),
        Detection3DArray m => RosSerialization.Serialize(m),
        MarkerArray m => RosSerialization.Serialize(m),
        TwistStamped m => RosSerialization.Serialize(m),
        AckermannDriveStamped m => RosSerialization.Serialize(m),
        DiagnosticArray m => RosSerialization.Serialize(m),
        _ => throw new ArgumentException(message.GetType().Name),
    };
}
