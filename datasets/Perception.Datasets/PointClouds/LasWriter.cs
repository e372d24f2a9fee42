using System.Buffers.Binary;
using System.Text;

namespace Perception.Datasets.PointClouds;

/// <summary>Builds the header block and point records of a LAS file (see <see cref="LasFile.Write"/>).</summary>
internal static class LasWriter
{
    private const string Software = "Perception.Datasets";

    private static readonly string[] Axes = ["x", "y", "z"];

    /// <summary>The point records of <paramref name="cloud"/> and, in <paramref name="header"/>, the header.</summary>
    public static byte[] Records(PointCloud cloud, LasWriteOptions options, out byte[] header)
    {
        int format = options.PointFormat;
        if (!LasPointFormats.IsSupported(format))
        {
            throw new ArgumentException(
                $"Point format {format} is not supported; formats 0-3 and 6-8 are.", nameof(options));
        }

        Version version = options.Version ?? new Version(1, LasPointFormats.NeedsVersion14(format) ? 4 : 2);
        if (version.Major != 1 || version.Minor is < 2 or > 4 || version.Build > 0 || version.Revision > 0 ||
            (LasPointFormats.NeedsVersion14(format) && version.Minor < 4))
        {
            throw new ArgumentException(
                $"LAS {version} cannot hold point format {format}; formats 0-3 take 1.2-1.4, 6-8 take 1.4.",
                nameof(options));
        }

        int recordLength = LasPointFormats.BaseSize(format);
        int count = cloud.PointCount;
        var records = new byte[checked(count * recordLength)];
        PointField[] xyz = Axes.Select(a => cloud.FindField(a) ?? throw new ArgumentException(
            $"The cloud has no '{a}' field; it has: {string.Join(' ', cloud.Fields.Select(f => f.Name))}.",
            nameof(cloud))).ToArray();
        double[] scale = [options.Scale.X, options.Scale.Y, options.Scale.Z];
        double[][] world = xyz.Select(Values).ToArray();
        double[] offset = options.Offset is { } o ? [o.X, o.Y, o.Z] : world.Select(FloorOfMinimum).ToArray();
        var min = new double[3];
        var max = new double[3];
        for (int axis = 0; axis < 3; axis++)
        {
            (min[axis], max[axis]) = EncodeCoordinate(xyz[axis], world[axis], scale[axis], offset[axis], records,
                recordLength, axis * 4);
        }

        foreach (LasDimension dimension in LasPointFormats.For(format))
        {
            if (cloud.FindField(dimension.Name) is { } field)
            {
                Encode(field, dimension, records, recordLength);
            }
        }

        long[] byReturn = CountByReturn(cloud.FindField(LasPointFormats.ReturnNumber));
        header = Header(format, version.Minor, recordLength, count, byReturn, scale, offset, min, max,
            options.CreationDate ?? DateOnly.FromDateTime(DateTime.UtcNow));
        return records;
    }

    /// <summary>Every value of the field as double, converted once rather than per use.</summary>
    private static double[] Values(PointField field)
    {
        if (field.Type == PointFieldType.Float64)
        {
            return field.AsSpan<double>().ToArray();
        }

        var values = new double[field.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = field.GetValue(i / field.Count, i % field.Count);
        }

        return values;
    }

    // Whole metres below the minimum keep the offset readable and leave ±2147 km of range at 1 mm.
    private static double FloorOfMinimum(double[] values)
    {
        double min = double.PositiveInfinity;
        foreach (double value in values)
        {
            min = Math.Min(min, value);
        }

        return double.IsFinite(min) ? Math.Floor(min) : 0;
    }

    /// <summary>Writes round((v - offset) / scale) as int32; returns the stored extent in world units.</summary>
    private static (double Min, double Max) EncodeCoordinate(PointField axis, double[] values, double scale,
        double offset, Span<byte> records, int recordLength, int position)
    {
        if (!(scale > 0) || !double.IsFinite(scale) || !double.IsFinite(offset))
        {
            throw new ArgumentException(
                $"The {axis.Name} scale must be positive and the offset finite; got {scale} and {offset}.",
                nameof(axis));
        }

        if (axis.Count != 1)
        {
            throw new ArgumentException($"Field '{axis.Name}' has {axis.Count} values per point; LAS takes one.",
                nameof(axis));
        }

        int lowest = int.MaxValue;
        int highest = int.MinValue;
        for (int p = 0; p < values.Length; p++)
        {
            double value = values[p];
            double raw = Math.Round((value - offset) / scale);
            if (!(raw >= int.MinValue && raw <= int.MaxValue))
            {
                throw new ArgumentException(
                    $"Point {p}: {axis.Name} = {value} does not fit an int32 at scale {scale} and offset {offset}.",
                    nameof(axis));
            }

            int stored = (int)raw;
            lowest = Math.Min(lowest, stored);
            highest = Math.Max(highest, stored);
            BinaryPrimitives.WriteInt32LittleEndian(records[((p * recordLength) + position)..], stored);
        }

        return values.Length == 0 ? (0, 0) : ((lowest * scale) + offset, (highest * scale) + offset);
    }

    private static void Encode(PointField field, LasDimension dimension, Span<byte> records, int recordLength)
    {
        if (field.Count != 1)
        {
            throw new ArgumentException(
                $"Field '{field.Name}' has {field.Count} values per point; LAS takes one.", nameof(field));
        }

        if (!dimension.IsBitField && field.Type == dimension.Type)
        {
            PointRecords.Scatter(field, field.Length, records, recordLength, dimension.Offset);
            return;
        }

        bool integral = !dimension.Type.IsFloatingPoint();
        double[] values = Values(field);
        for (int p = 0; p < values.Length; p++)
        {
            double value = values[p];
            if (integral && (value != Math.Floor(value) || value < dimension.MinValue || value > dimension.MaxValue))
            {
                throw new ArgumentException(
                    $"Point {p}: {field.Name} = {value} does not fit the LAS attribute " +
                    $"({dimension.MinValue} to {dimension.MaxValue}, whole numbers).", nameof(field));
            }

            Span<byte> at = records[((p * recordLength) + dimension.Offset)..];
            if (dimension.IsBitField)
            {
                at[0] |= (byte)((int)value << dimension.BitShift);
                continue;
            }

            switch (dimension.Type)
            {
                case PointFieldType.Int8: at[0] = (byte)(sbyte)value; break;
                case PointFieldType.UInt8: at[0] = (byte)value; break;
                case PointFieldType.Int16: BinaryPrimitives.WriteInt16LittleEndian(at, (short)value); break;
                case PointFieldType.UInt16: BinaryPrimitives.WriteUInt16LittleEndian(at, (ushort)value); break;
                default: BinaryPrimitives.WriteDoubleLittleEndian(at, value); break;
            }
        }
    }

    /// <summary>Points with return number 1..15 (index 0..14).</summary>
    private static long[] CountByReturn(PointField? returnNumber)
    {
        var counts = new long[15];
        for (int p = 0; p < (returnNumber?.Length ?? 0); p++)
        {
            int value = (int)returnNumber!.GetValue(p);
            if (value is >= 1 and <= 15)
            {
                counts[value - 1]++;
            }
        }

        return counts;
    }

    private static byte[] Header(int format, int minor, int recordLength, int count, long[] byReturn,
        double[] scale, double[] offset, double[] min, double[] max, DateOnly created)
    {
        int size = LasHeader.SizeByMinorVersion[minor];
        var header = new byte[size];
        Span<byte> h = header;
        "LASF"u8.CopyTo(h);

        // Bit 4: the CRS, if any, is WKT, which LAS 1.4 requires for formats 6-10 (readers such as PDAL check it).
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], (ushort)(LasPointFormats.NeedsVersion14(format) ? 0x10 : 0));
        h[24] = 1;
        h[25] = (byte)minor;
        Encoding.ASCII.GetBytes("OTHER", h[26..]);
        Encoding.ASCII.GetBytes(Software, h[58..]);
        BinaryPrimitives.WriteUInt16LittleEndian(h[90..], (ushort)created.DayOfYear);
        BinaryPrimitives.WriteUInt16LittleEndian(h[92..], (ushort)created.Year);
        BinaryPrimitives.WriteUInt16LittleEndian(h[94..], (ushort)size);
        BinaryPrimitives.WriteUInt32LittleEndian(h[96..], (uint)size);
        h[104] = (byte)format;
        BinaryPrimitives.WriteUInt16LittleEndian(h[105..], (ushort)recordLength);

        // LAS 1.4 requires the 32-bit legacy counts to stay zero for formats 6-10, which pre-1.4 readers cannot decode.
        if (!LasPointFormats.NeedsVersion14(format))
        {
            BinaryPrimitives.WriteUInt32LittleEndian(h[107..], (uint)count);
            for (int r = 0; r < 5; r++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(h[(111 + (4 * r))..], (uint)byReturn[r]);
            }
        }

        for (int axis = 0; axis < 3; axis++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(h[(131 + (8 * axis))..], scale[axis]);
            BinaryPrimitives.WriteDoubleLittleEndian(h[(155 + (8 * axis))..], offset[axis]);
            BinaryPrimitives.WriteDoubleLittleEndian(h[(179 + (16 * axis))..], max[axis]);
            BinaryPrimitives.WriteDoubleLittleEndian(h[(187 + (16 * axis))..], min[axis]);
        }

        if (minor == 4)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(h[247..], (ulong)count);
            for (int r = 0; r < 15; r++)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(h[(255 + (8 * r))..], (ulong)byReturn[r]);
            }
        }

        return header;
    }
}
