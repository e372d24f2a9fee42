using System.Buffers.Binary;
using Perception.Ros2.Messages;
using Perception.Ros2.PointClouds;

namespace Perception.Ros2.Tests;

/// <summary>PointCloud2 layouts: padded, organised, big-endian, mixed datatypes; the builder and the zero-copy wrap.</summary>
public sealed class PointCloud2Tests
{
    [Fact]
    public void Reads_a_big_endian_organised_cloud_with_padded_points_and_rows()
    {
        // 2 × 2 points, point_step 20 (x y z float32, intensity uint8 at 13, ring uint16 at 16), row_step 48 (8 pad).
        PointField[] fields =
        [
            new("x", 0, PointFieldDatatype.Float32), new("y", 4, PointFieldDatatype.Float32),
            new("z", 8, PointFieldDatatype.Float32), new("intensity", 13, PointFieldDatatype.UInt8),
            new("ring", 16, PointFieldDatatype.UInt16),
        ];
        var data = new byte[96];
        for (int p = 0; p < 4; p++)
        {
            Span<byte> point = data.AsSpan(((p / 2) * 48) + ((p % 2) * 20));
            BinaryPrimitives.WriteSingleBigEndian(point, p + 0.5f);
            BinaryPrimitives.WriteSingleBigEndian(point[4..], -p);
            BinaryPrimitives.WriteSingleBigEndian(point[8..], p * 10);
            point[13] = (byte)(200 + p);
            BinaryPrimitives.WriteUInt16BigEndian(point[16..], (ushort)(1000 + p));
        }

        var reader = new PointCloud2Reader(new PointCloud2
        {
            Header = TestMessages.Header, Height = 2, Width = 2, Fields = fields, IsBigEndian = true, PointStep = 20,
            RowStep = 48, Data = data,
        });

        Assert.Equal([0.5f, 0, 0, 1.5f, -1, 10, 2.5f, -2, 20, 3.5f, -3, 30], reader.ReadXyz());
        Assert.Equal([200f, 201, 202, 203], reader.ReadFloat32("intensity"));
        Assert.Equal([1000u, 1001, 1002, 1003], reader.ReadUInt32("ring"));
    }

    [Fact]
    public void The_builder_writes_intensity_label_and_packed_rgb()
    {
        var reader = new PointCloud2Reader(TestMessages.Cloud());

        Assert.Equal(["x", "y", "z", "intensity", "label", "rgb"], reader.Cloud.Fields.Select(f => f.Name));
        Assert.Equal((24u, 72u), (reader.Cloud.PointStep, reader.Cloud.RowStep));
        Assert.Equal([0.5f, 1f, 0f], reader.ReadFloat32("intensity"));
        Assert.Equal([7u, 40, 255], reader.ReadUInt32("label"));
        Assert.Equal([0xFF0000u, 0x0080FF, 0xABCDEF], reader.ReadPackedColor());
        Assert.Equal(PointFieldDatatype.Float32, reader.FindField("rgb")!.Datatype);
    }

    [Fact]
    public void Wrapping_xyzi_bytes_copies_nothing()
    {
        var bytes = new byte[32];
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(20), 7.25f);
        PointCloud2 cloud = PointCloud2Builder.WrapXyzi(TestMessages.Header, bytes);

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(cloud.Data, out ArraySegment<byte> segment));
        Assert.Same(bytes, segment.Array);
        Assert.Equal(7.25f, new PointCloud2Reader(cloud).ReadFloat32("y")[1]);
        // A received cloud's data is a slice of the payload, also without a copy.
        byte[] payload = cloud.Serialize();
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(
            RosSerialization.Deserialize<PointCloud2>(payload).Data, out ArraySegment<byte> slice));
        Assert.Same(payload, slice.Array);
    }

    [Theory]
    [InlineData(16u, 32u, 31, "data holds 31")]
    [InlineData(16u, 31u, 64, "row_step 31")]
    [InlineData(12u, 24u, 64, "ends at byte 16")]
    public void Inconsistent_layouts_are_refused(uint pointStep, uint rowStep, int dataLength, string message)
    {
        PointCloud2 cloud = PointCloud2Builder.WrapXyzi(TestMessages.Header, new byte[32]) with
        {
            PointStep = pointStep, RowStep = rowStep, Data = new byte[dataLength], Width = 2,
        };

        Assert.Contains(message, Assert.Throws<PointCloud2LayoutException>(() => new PointCloud2Reader(cloud)).Message,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)] // past the count of 1
    [InlineData(-1)]
    public void A_component_the_field_does_not_have_is_a_layout_error_naming_the_field(int component)
    {
        // The message's own field list says 'y' has 3 components, but a second 'y' of count 1 comes first.
        PointCloud2 cloud = PointCloud2Builder.WrapXyzi(TestMessages.Header, new byte[32]) with
        {
            Fields = [new("y", 0, PointFieldDatatype.Float32), new("y", 4, PointFieldDatatype.Float32, 3)],
        };

        var reader = new PointCloud2Reader(cloud);

        var e = Assert.Throws<PointCloud2LayoutException>(() => reader.ReadFloat32("y", component));
        Assert.Contains($"Field 'y' has count 1; component {component}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "x")] // an empty name
    [InlineData("x", "a b")] // white space: PCD and PLY headers split on it
    [InlineData("x", "x")] // a repeated name
    public void Field_names_a_file_cloud_cannot_hold_are_refused_by_the_conversion(string first, string second)
    {
        PointCloud2 cloud = PointCloud2Builder.WrapXyzi(TestMessages.Header, new byte[32]) with
        {
            Fields = [new(first, 0, PointFieldDatatype.Float32), new(second, 4, PointFieldDatatype.Float32)],
        };

        var e = Assert.Throws<PointCloud2LayoutException>(() => PointCloudConversion.ToPointCloud(cloud));
        Assert.Contains("Field name", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlapping_fields_are_refused_by_the_conversion_instead_of_copying_the_data_per_field()
    {
        // Every field spans the whole 16-byte point: each would become a column of its own, a copy of all the data.
        var wide = Enumerable.Range(0, 100).Select(i => new PointField($"f{i}", 0, PointFieldDatatype.UInt8, 16));
        PointCloud2 cloud = PointCloud2Builder.WrapXyzi(TestMessages.Header, new byte[32]) with { Fields = [.. wide] };

        var e = Assert.Throws<PointCloud2LayoutException>(() => PointCloudConversion.ToPointCloud(cloud));
        Assert.Contains("1600 bytes of a point but point_step is 16", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(uint.MaxValue, 0u, 1u, "width 4294967295")] // no points, yet a width past int32
    [InlineData(0u, uint.MaxValue, 1u, "height 4294967295")]
    [InlineData(0u, 1u, 0x80000000u, "count 2147483648")] // no points, so the data cannot refuse the count
    public void Dimensions_and_counts_past_int32_are_refused_even_without_points(uint width, uint height, uint count,
        string message)
    {
        PointCloud2 cloud = PointCloud2Builder.WrapXyzi(TestMessages.Header, new byte[32]) with
        {
            Width = width, Height = height, PointStep = uint.MaxValue, RowStep = 0,
            Fields = [new PointField("x", 0, PointFieldDatatype.UInt8, count)],
        };

        var e = Assert.Throws<PointCloud2LayoutException>(() => PointCloudConversion.ToPointCloud(cloud));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void File_clouds_convert_both_ways_with_every_type_kept()
    {
        var cloud = new Datasets.PointClouds.PointCloud(3);
        new float[] { 1, 2, 3 }.CopyTo(cloud.AddField("x", Datasets.PointClouds.PointFieldType.Float32).AsSpan<float>());
        new ushort[] { 5, 6, 65535 }.CopyTo(cloud.AddField("ring", Datasets.PointClouds.PointFieldType.UInt16).AsSpan<ushort>());
        new[] { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6 }.CopyTo(cloud.AddField("t", Datasets.PointClouds.PointFieldType.Float64, 2).AsSpan<double>());
        new sbyte[] { -128, 0, 127 }.CopyTo(cloud.AddField("c", Datasets.PointClouds.PointFieldType.Int8).AsSpan<sbyte>());

        Datasets.PointClouds.PointCloud back = PointCloudConversion.ToPointCloud(
            RosSerialization.Deserialize<PointCloud2>(PointCloudConversion.ToPointCloud2(cloud, TestMessages.Header).Serialize()));

        Assert.Equal(cloud.Fields.Select(f => (f.Name, f.Type, f.Count)), back.Fields.Select(f => (f.Name, f.Type, f.Count)));
        Assert.Equal([5, 6, 65535], back.FindField("ring")!.AsSpan<ushort>().ToArray());
        Assert.Equal([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], back.FindField("t")!.AsSpan<double>().ToArray());
        Assert.Equal([-128, 0, 127], back.FindField("c")!.AsSpan<sbyte>().ToArray());
    }
}
