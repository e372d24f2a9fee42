using System.Runtime.InteropServices;

namespace Perception.Datasets.PointClouds;

/// <summary>
/// Moves values between interleaved point records (one record per point, fields side by side: PCD binary, PLY
/// binary, LAS) and the cloud's columns. Each field is a strided block copy, no per-value parsing.
/// </summary>
internal static class PointRecords
{
    /// <summary>Copies each column's values out of the records; a null column is padding to skip.</summary>
    public static void Gather(ReadOnlySpan<byte> records, int recordSize, int pointCount,
        IReadOnlyList<(PointField? Column, int Offset)> layout)
    {
        foreach ((PointField? column, int offset) in layout)
        {
            if (column is null)
            {
                continue;
            }

            Gather(records, recordSize, offset, column.Bytes, column.Bytes.Length / Math.Max(pointCount, 1));
        }
    }

    /// <summary>
    /// Copies the <paramref name="itemSize"/>-byte value at <paramref name="offset"/> of each record into
    /// <paramref name="values"/>, one record per item (values.Length / itemSize records).
    /// </summary>
    public static void Gather(ReadOnlySpan<byte> records, int recordSize, int offset, Span<byte> values, int itemSize)
    {
        switch (itemSize)
        {
            case 1: Gather<byte>(records, recordSize, offset, values); break;
            case 2: Gather<ushort>(records, recordSize, offset, values); break;
            case 4: Gather<uint>(records, recordSize, offset, values); break;
            case 8: Gather<ulong>(records, recordSize, offset, values); break;
            default:
                for (int p = 0; p < values.Length / Math.Max(itemSize, 1); p++)
                {
                    records.Slice((p * recordSize) + offset, itemSize).CopyTo(values[(p * itemSize)..]);
                }

                break;
        }
    }

    /// <summary>Copies every column's values into records laid out field after field in column order.</summary>
    public static void Scatter(IReadOnlyList<PointField> columns, int pointCount, Span<byte> records)
    {
        int recordSize = records.Length / Math.Max(pointCount, 1);
        int offset = 0;
        foreach (PointField column in columns)
        {
            Scatter(column, pointCount, records, recordSize, offset);
            offset += column.Bytes.Length / Math.Max(pointCount, 1);
        }
    }

    /// <summary>Copies one column's values to byte <paramref name="offset"/> of each record.</summary>
    public static void Scatter(PointField column, int pointCount, Span<byte> records, int recordSize, int offset)
    {
        ReadOnlySpan<byte> values = column.Bytes;
        int itemSize = values.Length / Math.Max(pointCount, 1);
        switch (itemSize)
        {
            case 1: Scatter<byte>(values, recordSize, offset, records); break;
            case 2: Scatter<ushort>(values, recordSize, offset, records); break;
            case 4: Scatter<uint>(values, recordSize, offset, records); break;
            case 8: Scatter<ulong>(values, recordSize, offset, records); break;
            default:
                for (int p = 0; p < pointCount; p++)
                {
                    values.Slice(p * itemSize, itemSize).CopyTo(records[((p * recordSize) + offset)..]);
                }

                break;
        }
    }

    /// <summary>Bytes per record: the sum of every column's item size.</summary>
    public static int RecordSize(IEnumerable<PointField> columns) =>
        columns.Sum(c => c.Type.SizeInBytes() * c.Count);

    private static void Gather<T>(ReadOnlySpan<byte> records, int recordSize, int offset, Span<byte> values)
        where T : unmanaged
    {
        Span<T> destination = MemoryMarshal.Cast<byte, T>(values);
        for (int p = 0; p < destination.Length; p++)
        {
            destination[p] = MemoryMarshal.Read<T>(records[((p * recordSize) + offset)..]);
        }
    }

    private static void Scatter<T>(ReadOnlySpan<byte> values, int recordSize, int offset, Span<byte> records)
        where T : unmanaged
    {
        ReadOnlySpan<T> source = MemoryMarshal.Cast<byte, T>(values);
        for (int p = 0; p < source.Length; p++)
        {
            T value = source[p];
            MemoryMarshal.Write(records[((p * recordSize) + offset)..], in value);
        }
    }
}
