using System.Buffers.Binary;
using Perception.Ros2.Messages;

namespace Perception.Ros2.PointClouds;

/// <summary>
/// Builds unorganised little-endian PointCloud2 messages in the layout rviz2 and Autoware expect: x, y, z float32 at
/// 0/4/8, then the optional columns in this order: <c>intensity</c> float32, <c>label</c> uint32 and <c>rgb</c> (the
/// packed 0x00RRGGBB colour stored in a FLOAT32 field, as PCL does, so rviz2's RGB8 transformer shows it).
/// </summary>
public static class PointCloud2Builder
{
    private static readonly PointField[] XyziFields =
    [
        new("x", 0, PointFieldDatatype.Float32), new("y", 4, PointFieldDatatype.Float32),
        new("z", 8, PointFieldDatatype.Float32), new("intensity", 12, PointFieldDatatype.Float32),
    ];

    /// <summary>A cloud from row-major [N, 3] <paramref name="xyz"/> and optional per-point columns (empty = absent).
    /// </summary>
    /// <exception cref="ArgumentException">A column's length is not N.</exception>
    public static PointCloud2 Build(Header header, ReadOnlySpan<float> xyz, ReadOnlySpan<float> intensity = default,
        ReadOnlySpan<uint> labels = default, ReadOnlySpan<uint> rgb = default)
    {
        if (xyz.Length % 3 != 0)
        {
            throw new ArgumentException($"Length {xyz.Length} is not a multiple of 3 (x, y, z).", nameof(xyz));
        }

        int count = xyz.Length / 3;
        RequireLength(intensity.Length, count, nameof(intensity));
        RequireLength(labels.Length, count, nameof(labels));
        RequireLength(rgb.Length, count, nameof(rgb));

        var fields = new List<PointField>(XyziFields[..3]);
        uint step = 12;
        AddField("intensity", PointFieldDatatype.Float32, !intensity.IsEmpty);
        uint labelOffset = step;
        AddField("label", PointFieldDatatype.UInt32, !labels.IsEmpty);
        uint rgbOffset = step;
        AddField("rgb", PointFieldDatatype.Float32, !rgb.IsEmpty);

        var data = new byte[checked(count * (int)step)];
        for (int p = 0; p < count; p++)
        {
            Span<byte> point = data.AsSpan(p * (int)step, (int)step);
            BinaryPrimitives.WriteSingleLittleEndian(point, xyz[p * 3]);
            BinaryPrimitives.WriteSingleLittleEndian(point[4..], xyz[(p * 3) + 1]);
            BinaryPrimitives.WriteSingleLittleEndian(point[8..], xyz[(p * 3) + 2]);
            if (!intensity.IsEmpty)
            {
                BinaryPrimitives.WriteSingleLittleEndian(point[12..], intensity[p]);
            }

            if (!labels.IsEmpty)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(point[(int)labelOffset..], labels[p]);
            }

            if (!rgb.IsEmpty)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(point[(int)rgbOffset..], rgb[p]);
            }
        }

        return Unorganised(header, fields, step, data);

        void AddField(string name, PointFieldDatatype type, bool present)
        {
            if (present)
            {
                fields.Add(new PointField(name, step, type));
                step += 4;
            }
        }
    }

    /// <summary>
    /// The zero-copy path: a cloud whose data IS <paramref name="xyzi"/> (16 bytes a point: x, y, z, intensity
    /// float32 little-endian, the KITTI .bin layout). Nothing is copied until the message is serialized.
    /// </summary>
    /// <exception cref="ArgumentException">The length is not a multiple of 16.</exception>
    public static PointCloud2 WrapXyzi(Header header, ReadOnlyMemory<byte> xyzi)
    {
        if (xyzi.Length % 16 != 0)
        {
            throw new ArgumentException($"{xyzi.Length} bytes is not a multiple of 16 (x, y, z, intensity float32).",
                nameof(xyzi));
        }

        return Unorganised(header, XyziFields, 16, xyzi);
    }

    /// <summary>Height 1, row_step = width × point_step, little-endian, dense.</summary>
    public static PointCloud2 Unorganised(Header header, IReadOnlyList<PointField> fields, uint pointStep,
        ReadOnlyMemory<byte> data)
    {
        uint width = pointStep == 0 ? 0 : (uint)(data.Length / (int)pointStep);
        return new PointCloud2
        {
            Header = header,
            Height = 1,
            Width = width,
            Fields = fields,
            PointStep = pointStep,
            RowStep = width * pointStep,
            Data = data,
        };
    }

    /// <summary>Packs 8-bit channels as 0x00RRGGBB.</summary>
    public static uint PackRgb(byte r, byte g, byte b) => ((uint)r << 16) | ((uint)g << 8) | b;

    private static void RequireLength(int length, int count, string name)
    {
        if (length != 0 && length != count)
        {
            throw new ArgumentException($"{name} has {length} values for {count} points.", name);
        }
    }
}
