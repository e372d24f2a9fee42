using System.Buffers.Binary;
using Perception.Ros2.Messages;

namespace Perception.Ros2.PointClouds;

/// <summary>
/// Reads the fields of a <see cref="PointCloud2"/> of any layout: any field order and padding, point_step and row_step
/// honoured (organised clouds with padded rows too), big- or little-endian, every PointField datatype converted on
/// read. The layout is checked once in the constructor, so every later read is in bounds.
/// </summary>
public sealed class PointCloud2Reader
{
    private readonly PointCloud2 cloud;

    /// <exception cref="PointCloud2LayoutException">The layout is inconsistent with the data.</exception>
    public PointCloud2Reader(PointCloud2 cloud)
    {
        this.cloud = cloud;
        ulong points = (ulong)cloud.Width * cloud.Height;
        // Each dimension too, not only the product: an empty cloud may still claim a width past int32.
        if (points > (ulong)Array.MaxLength || cloud.Width > int.MaxValue || cloud.Height > int.MaxValue)
        {
            throw new PointCloud2LayoutException(
                $"width {cloud.Width} × height {cloud.Height} points is too many for one cloud.");
        }

        PointCount = (int)points;
        foreach (PointField field in cloud.Fields)
        {
            if (field.Count > int.MaxValue)
            {
                throw new PointCloud2LayoutException($"Field '{field.Name}' has count {field.Count}, past int32.");
            }

            ulong end = field.Offset + ((ulong)SizeOf(field) * Math.Max(field.Count, 1u));
            if (end > cloud.PointStep)
            {
                throw new PointCloud2LayoutException(
                    $"Field '{field.Name}' ends at byte {end} of a point but point_step is {cloud.PointStep}.");
            }
        }

        if (PointCount == 0)
        {
            return;
        }

        ulong rowBytes = (ulong)cloud.Width * cloud.PointStep;
        if (cloud.RowStep < rowBytes)
        {
            throw new PointCloud2LayoutException(
                $"row_step {cloud.RowStep} is shorter than width {cloud.Width} × point_step {cloud.PointStep}.");
        }

        ulong needed = ((ulong)(cloud.Height - 1) * cloud.RowStep) + rowBytes;
        if ((ulong)cloud.Data.Length < needed)
        {
            throw new PointCloud2LayoutException(
                $"data holds {cloud.Data.Length} bytes but {cloud.Height} rows of row_step {cloud.RowStep} need {needed}.");
        }
    }

    public int PointCount { get; }

    public PointCloud2 Cloud => cloud;

    /// <summary>The field with exactly this name, or null.</summary>
    public PointField? FindField(string name)
    {
        foreach (PointField field in cloud.Fields)
        {
            if (field.Name == name)
            {
                return field;
            }
        }

        return null;
    }

    /// <summary>The first field present among <paramref name="names"/>, or null.</summary>
    public PointField? FindAny(IEnumerable<string> names) => names.Select(FindField).FirstOrDefault(f => f is not null);

    /// <summary>One component of a field for every point, converted to float32 (uint8 intensity 0..255 stays 0..255).
    /// </summary>
    /// <exception cref="PointCloud2LayoutException">The field is missing or has no such component.</exception>
    public float[] ReadFloat32(string name, int component = 0)
    {
        PointField field = Require(name);
        if ((uint)component >= Math.Max(field.Count, 1u))
        {
            // The count comes from the message, so a component the caller expects may not be there.
            throw new PointCloud2LayoutException(
                $"Field '{name}' has count {field.Count}; component {component} is not in it.");
        }

        var values = new float[PointCount];
        for (int p = 0; p < values.Length; p++)
        {
            values[p] = (float)ReadValue(p, field, component);
        }

        return values;
    }

    /// <summary>An integer field (label, ring) for every point as uint32; float fields are refused.</summary>
    /// <exception cref="PointCloud2LayoutException">The field is missing or floating point.</exception>
    public uint[] ReadUInt32(string name)
    {
        PointField field = Require(name);
        if (field.Datatype is PointFieldDatatype.Float32 or PointFieldDatatype.Float64)
        {
            throw new PointCloud2LayoutException($"Field '{name}' is {field.Datatype}, not an integer field.");
        }

        var values = new uint[PointCount];
        for (int p = 0; p < values.Length; p++)
        {
            values[p] = unchecked((uint)(long)ReadValue(p, field, 0));
        }

        return values;
    }

    /// <summary>The raw 4 bytes of a packed colour field (<c>rgb</c>/<c>rgba</c>, FLOAT32/UINT32/INT32) as
    /// 0xAARRGGBB, the way rviz2's RGB8 transformer reads it.</summary>
    public uint[] ReadPackedColor(string name = "rgb")
    {
        PointField field = Require(name);
        if (SizeOf(field) != 4)
        {
            throw new PointCloud2LayoutException($"Field '{name}' is {field.Datatype}; a packed colour takes 4 bytes.");
        }

        var values = new uint[PointCount];
        ReadOnlySpan<byte> data = cloud.Data.Span;
        for (int p = 0; p < values.Length; p++)
        {
            ReadOnlySpan<byte> bytes = data.Slice(ByteOffset(p, field, 0), 4);
            values[p] = cloud.IsBigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes)
                : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        }

        return values;
    }

    /// <summary>Row-major [N, 3] float32 x, y, z.</summary>
    public float[] ReadXyz()
    {
        PointField[] xyz = [Require("x"), Require("y"), Require("z")];
        var values = new float[checked(PointCount * 3)];
        for (int p = 0; p < PointCount; p++)
        {
            for (int c = 0; c < 3; c++)
            {
                values[(p * 3) + c] = (float)ReadValue(p, xyz[c], 0);
            }
        }

        return values;
    }

    /// <summary>Row-major [N, 4] float32 x, y, z, intensity (the KITTI scan layout the models take); intensity is the
    /// first field of <see cref="Datasets.PointClouds.PointCloud.IntensityNames"/> present, converted to float32.
    /// </summary>
    /// <exception cref="PointCloud2LayoutException">x, y or z is missing, or intensity is when
    /// <paramref name="requireIntensity"/> (else it reads as 0).</exception>
    public float[] ReadXyzi(bool requireIntensity)
    {
        PointField? intensity = FindAny(Datasets.PointClouds.PointCloud.IntensityNames);
        if (intensity is null && requireIntensity)
        {
            throw new PointCloud2LayoutException(
                $"The cloud has no intensity channel ({string.Join('/', Datasets.PointClouds.PointCloud.IntensityNames)}).");
        }

        float[] xyz = ReadXyz();
        var xyzi = new float[checked(PointCount * 4)];
        for (int p = 0; p < PointCount; p++)
        {
            xyz.AsSpan(p * 3, 3).CopyTo(xyzi.AsSpan(p * 4));
            xyzi[(p * 4) + 3] = intensity is null ? 0f : (float)ReadValue(p, intensity, 0);
        }

        return xyzi;
    }

    /// <summary>One value as double, for point <paramref name="point"/> in row-major order.</summary>
    public double ReadValue(int point, PointField field, int component)
    {
        if ((uint)point >= (uint)PointCount || (uint)component >= Math.Max(field.Count, 1u))
        {
            throw new ArgumentOutOfRangeException(nameof(point), $"Point {point} component {component} is out of range.");
        }

        ReadOnlySpan<byte> b = cloud.Data.Span.Slice(ByteOffset(point, field, component), SizeOf(field));
        bool big = cloud.IsBigEndian;
        return field.Datatype switch
        {
            PointFieldDatatype.Int8 => (sbyte)b[0],
            PointFieldDatatype.UInt8 => b[0],
            PointFieldDatatype.Int16 => big ? BinaryPrimitives.ReadInt16BigEndian(b) : BinaryPrimitives.ReadInt16LittleEndian(b),
            PointFieldDatatype.UInt16 => big ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b),
            PointFieldDatatype.Int32 => big ? BinaryPrimitives.ReadInt32BigEndian(b) : BinaryPrimitives.ReadInt32LittleEndian(b),
            PointFieldDatatype.UInt32 => big ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b),
            PointFieldDatatype.Float32 => big ? BinaryPrimitives.ReadSingleBigEndian(b) : BinaryPrimitives.ReadSingleLittleEndian(b),
            _ => big ? BinaryPrimitives.ReadDoubleBigEndian(b) : BinaryPrimitives.ReadDoubleLittleEndian(b),
        };
    }

    private int ByteOffset(int point, PointField field, int component)
    {
        (int row, int column) = Math.DivRem(point, (int)cloud.Width);
        return checked((int)(((long)row * cloud.RowStep) + ((long)column * cloud.PointStep) + field.Offset
            + ((long)component * SizeOf(field))));
    }

    private PointField Require(string name) => FindField(name) ?? throw new PointCloud2LayoutException(
        $"The cloud has no field '{name}'; it has: {string.Join(' ', cloud.Fields.Select(f => f.Name))}.");

    private static int SizeOf(PointField field) => Enum.IsDefined(field.Datatype) ? PointField.SizeOf(field.Datatype)
        : throw new PointCloud2LayoutException($"Field '{field.Name}' has unknown datatype {(byte)field.Datatype}.");
}
