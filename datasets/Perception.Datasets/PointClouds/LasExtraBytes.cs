using System.Buffers.Binary;

namespace Perception.Datasets.PointClouds;

/// <summary>
/// One attribute described by the Extra Bytes VLR (user "LASF_Spec", record 4; LAS 1.4 R15 section 2.5.6): the
/// bytes at <see cref="Offset"/> of every record hold <see cref="Count"/> values of <see cref="Type"/>. With a scale
/// or offset the attribute is read as float64 raw × scale + offset, like X, Y, Z.
/// </summary>
internal sealed record LasExtraBytes(
    string Name, PointFieldType Type, int Count, int Offset, double[]? Scale, double[]? ValueOffset)
{
    public const string UserId = "LASF_Spec";
    public const int RecordId = 4;

    private const int DescriptorSize = 192;

    /// <summary>Scalar types 1-10 of the descriptor's data_type byte; 11-30 are their 2- and 3-value arrays.</summary>
    private static readonly PointFieldType[] Types =
    [
        PointFieldType.UInt8, PointFieldType.Int8, PointFieldType.UInt16, PointFieldType.Int16,
        PointFieldType.UInt32, PointFieldType.Int32, PointFieldType.UInt64, PointFieldType.Int64,
        PointFieldType.Float32, PointFieldType.Float64,
    ];

    public bool IsScaled => Scale is not null || ValueOffset is not null;

    /// <summary>
    /// The attributes the descriptors name, laid out one after the other from the end of the format's standard
    /// attributes. Undocumented bytes (data type 0) only advance the position.
    /// </summary>
    public static List<LasExtraBytes> Parse(ReadOnlySpan<byte> payload, int baseSize, int recordLength,
        long payloadStart, string path)
    {
        if (payload.Length % DescriptorSize != 0)
        {
            throw new DatasetFormatException(path,
                $"extra bytes VLR at byte {payloadStart} has {payload.Length} bytes, not a multiple of the " +
                $"{DescriptorSize}-byte descriptor");
        }

        var fields = new List<LasExtraBytes>();
        int position = baseSize;
        for (int d = 0; d < payload.Length / DescriptorSize; d++)
        {
            ReadOnlySpan<byte> descriptor = payload.Slice(d * DescriptorSize, DescriptorSize);
            int dataType = descriptor[2];
            int options = descriptor[3];
            string name = LasHeader.ReadText(descriptor.Slice(4, 32));
            long at = payloadStart + (d * DescriptorSize);
            if (dataType > 30)
            {
                throw new DatasetFormatException(path,
                    $"extra bytes descriptor {d} ('{name}', byte {at}) has unknown data type {dataType}");
            }

            int count = dataType == 0 ? 1 : ((dataType - 1) / 10) + 1;
            PointFieldType type = dataType == 0 ? PointFieldType.UInt8 : Types[(dataType - 1) % 10];
            int size = dataType == 0 ? options : type.SizeInBytes() * count;
            if (position + size > recordLength)
            {
                throw new DatasetFormatException(path,
                    $"extra bytes descriptor {d} ('{name}', byte {at}) ends at record byte {position + size}, " +
                    $"past the {recordLength}-byte point record");
            }

            if (dataType != 0)
            {
                // Option bits 3 and 4 say whether the scale and offset arrays hold values.
                double[]? scale = (options & 0x08) != 0 ? ReadDoubles(descriptor[112..], count) : null;
                double[]? offset = (options & 0x10) != 0 ? ReadDoubles(descriptor[136..], count) : null;
                fields.Add(new LasExtraBytes(name, type, count, position, scale, offset));
            }

            position += size;
        }

        return fields;
    }

    private static double[] ReadDoubles(ReadOnlySpan<byte> bytes, int count)
    {
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]);
        }

        return values;
    }
}
