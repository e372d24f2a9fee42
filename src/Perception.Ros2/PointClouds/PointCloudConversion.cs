using System.Buffers.Binary;
using Perception.Datasets.PointClouds;
using Perception.Ros2.Messages;
using DatasetField = Perception.Datasets.PointClouds.PointField;
using RosField = Perception.Ros2.Messages.PointField;

namespace Perception.Ros2.PointClouds;

/// <summary>
/// Between the SDK's file clouds (<see cref="PointCloud"/>: .pcd, .ply, .las, .bin) and PointCloud2, every field kept
/// in its own type so values round-trip exactly. ROS has no 64-bit integer datatype: int64/uint64 columns become
/// FLOAT64 (exact up to 2^53).
/// </summary>
public static class PointCloudConversion
{
    /// <summary>A little-endian PointCloud2 with the cloud's fields packed in file order (no padding); organised
    /// clouds keep their width × height.</summary>
    public static PointCloud2 ToPointCloud2(PointCloud cloud, Header header)
    {
        var fields = new List<RosField>(cloud.Fields.Count);
        uint step = 0;
        foreach (DatasetField field in cloud.Fields)
        {
            PointFieldDatatype type = ToRos(field.Type);
            fields.Add(new RosField(field.Name, step, type, (uint)field.Count));
            step += (uint)(RosField.SizeOf(type) * field.Count);
        }

        var data = new byte[checked(cloud.PointCount * (int)step)];
        var target = new PointCloud2
        {
            Header = header,
            Height = (uint)cloud.Height,
            Width = (uint)cloud.Width,
            Fields = fields,
            PointStep = step,
            RowStep = (uint)cloud.Width * step,
            Data = data,
        };
        for (int f = 0; f < fields.Count; f++)
        {
            DatasetField source = cloud.Fields[f];
            int size = RosField.SizeOf(fields[f].Datatype);
            for (int v = 0; v < source.Length; v++)
            {
                (int point, int component) = Math.DivRem(v, source.Count);
                Span<byte> slot = data.AsSpan((point * (int)step) + (int)fields[f].Offset + (component * size), size);
                if (source.Type is PointFieldType.Int64 or PointFieldType.UInt64)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(slot, source.GetValue(point, component));
                }
                else
                {
                    source.Bytes.Slice(v * size, size).CopyTo(slot);
                }
            }
        }

        return target;
    }

    /// <summary>Every field of a PointCloud2 (any layout or endianness) as a file cloud with the same types.</summary>
    /// <exception cref="PointCloud2LayoutException">The layout is inconsistent, or a field name or overlap has no
    /// file cloud equivalent.</exception>
    public static PointCloud ToPointCloud(PointCloud2 message)
    {
        var reader = new PointCloud2Reader(message);
        RequireConvertible(message);
        var cloud = new PointCloud((int)message.Width, (int)message.Height);
        foreach (RosField field in message.Fields)
        {
            int count = (int)Math.Max(field.Count, 1u);
            DatasetField column = cloud.AddField(field.Name, ToDataset(field.Datatype), count);
            int size = RosField.SizeOf(field.Datatype);
            Span<byte> bytes = column.Bytes;
            for (int p = 0; p < reader.PointCount; p++)
            {
                for (int c = 0; c < count; c++)
                {
                    double value = reader.ReadValue(p, field, c);
                    WriteLittleEndian(bytes.Slice(((p * count) + c) * size, size), field.Datatype, value);
                }
            }
        }

        return cloud;
    }

    /// <summary>
    /// What a file cloud needs beyond a readable layout: distinct field names without white space (they become PCD and
    /// PLY header tokens), and fields that do not overlap. Overlap is refused because each field is copied into a
    /// column of its own: a message repeating one wide field a thousand times would otherwise turn its data into a
    /// thousand copies.
    /// </summary>
    private static void RequireConvertible(PointCloud2 message)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        ulong bytes = 0;
        foreach (RosField field in message.Fields)
        {
            if (!PointCloud.IsFieldName(field.Name) || !names.Add(field.Name))
            {
                throw new PointCloud2LayoutException($"Field name '{field.Name}' is empty, holds white space or "
                    + "repeats; a file cloud needs distinct names.");
            }

            bytes += (ulong)RosField.SizeOf(field.Datatype) * Math.Max(field.Count, 1u);
        }

        if (bytes > message.PointStep)
        {
            throw new PointCloud2LayoutException($"The fields take {bytes} bytes of a point but point_step is "
                + $"{message.PointStep}: overlapping fields do not convert to a file cloud.");
        }
    }

    private static void WriteLittleEndian(Span<byte> slot, PointFieldDatatype type, double value)
    {
        // Every datatype's values are exact in a double, so the trip through ReadValue loses nothing.
        switch (type)
        {
            case PointFieldDatatype.Int8:
                slot[0] = unchecked((byte)(sbyte)value);
                break;
            case PointFieldDatatype.UInt8:
                slot[0] = (byte)value;
                break;
            case PointFieldDatatype.Int16:
                BinaryPrimitives.WriteInt16LittleEndian(slot, (short)value);
                break;
            case PointFieldDatatype.UInt16:
                BinaryPrimitives.WriteUInt16LittleEndian(slot, (ushort)value);
                break;
            case PointFieldDatatype.Int32:
                BinaryPrimitives.WriteInt32LittleEndian(slot, (int)value);
                break;
            case PointFieldDatatype.UInt32:
                BinaryPrimitives.WriteUInt32LittleEndian(slot, (uint)value);
                break;
            case PointFieldDatatype.Float32:
                BinaryPrimitives.WriteSingleLittleEndian(slot, (float)value);
                break;
            default:
                BinaryPrimitives.WriteDoubleLittleEndian(slot, value);
                break;
        }
    }

    // The one table of corresponding types; 64-bit integers have no ROS datatype and travel as FLOAT64.
    private static readonly (PointFieldType File, PointFieldDatatype Ros)[] Types =
    [
        (PointFieldType.Int8, PointFieldDatatype.Int8), (PointFieldType.UInt8, PointFieldDatatype.UInt8),
        (PointFieldType.Int16, PointFieldDatatype.Int16), (PointFieldType.UInt16, PointFieldDatatype.UInt16),
        (PointFieldType.Int32, PointFieldDatatype.Int32), (PointFieldType.UInt32, PointFieldDatatype.UInt32),
        (PointFieldType.Float32, PointFieldDatatype.Float32), (PointFieldType.Float64, PointFieldDatatype.Float64),
    ];

    private static PointFieldDatatype ToRos(PointFieldType type) =>
        Array.Find(Types, t => t.File == type) is { Ros: not 0 } match ? match.Ros : PointFieldDatatype.Float64;

    private static PointFieldType ToDataset(PointFieldDatatype type) => Array.Find(Types, t => t.Ros == type).File;
}
