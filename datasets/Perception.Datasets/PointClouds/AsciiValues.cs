using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Perception.Datasets.PointClouds;

/// <summary>Text form of one field value, shared by the PCD and PLY ascii encodings.</summary>
internal static class AsciiValues
{
    /// <summary>
    /// Parses one UTF-8 token as <paramref name="type"/> into <paramref name="destination"/> (little-endian).
    /// Integers must be plain integers within the type's range; floats also accept nan and inf spellings
    /// (PCL writes "nan").
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> token, PointFieldType type, Span<byte> destination)
    {
        switch (type)
        {
            case PointFieldType.Float32:
                if (!TryParseSingle(token, out float single))
                {
                    return false;
                }

                BinaryPrimitives.WriteSingleLittleEndian(destination, single);
                return true;
            case PointFieldType.Float64:
                if (!TryParseDouble(token, out double value))
                {
                    return false;
                }

                BinaryPrimitives.WriteDoubleLittleEndian(destination, value);
                return true;
        }

        if (type.IsSigned())
        {
            if (!long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long signed))
            {
                return false;
            }

            switch (type)
            {
                case PointFieldType.Int8 when signed is >= sbyte.MinValue and <= sbyte.MaxValue:
                    destination[0] = (byte)(sbyte)signed;
                    return true;
                case PointFieldType.Int16 when signed is >= short.MinValue and <= short.MaxValue:
                    BinaryPrimitives.WriteInt16LittleEndian(destination, (short)signed);
                    return true;
                case PointFieldType.Int32 when signed is >= int.MinValue and <= int.MaxValue:
                    BinaryPrimitives.WriteInt32LittleEndian(destination, (int)signed);
                    return true;
                case PointFieldType.Int64:
                    BinaryPrimitives.WriteInt64LittleEndian(destination, signed);
                    return true;
                default:
                    return false;
            }
        }

        if (!ulong.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out ulong unsigned))
        {
            return false;
        }

        switch (type)
        {
            case PointFieldType.UInt8 when unsigned <= byte.MaxValue:
                destination[0] = (byte)unsigned;
                return true;
            case PointFieldType.UInt16 when unsigned <= ushort.MaxValue:
                BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)unsigned);
                return true;
            case PointFieldType.UInt32 when unsigned <= uint.MaxValue:
                BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)unsigned);
                return true;
            case PointFieldType.UInt64:
                BinaryPrimitives.WriteUInt64LittleEndian(destination, unsigned);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Appends the shortest text that parses back to the same value (nan, inf and -inf for the special floats,
    /// the spellings PCL reads).
    /// </summary>
    public static void Append(StringBuilder text, ReadOnlySpan<byte> value, PointFieldType type)
    {
        switch (type)
        {
            case PointFieldType.Int8: text.Append((sbyte)value[0]); break;
            case PointFieldType.UInt8: text.Append(value[0]); break;
            case PointFieldType.Int16: text.Append(BinaryPrimitives.ReadInt16LittleEndian(value)); break;
            case PointFieldType.UInt16: text.Append(BinaryPrimitives.ReadUInt16LittleEndian(value)); break;
            case PointFieldType.Int32: text.Append(BinaryPrimitives.ReadInt32LittleEndian(value)); break;
            case PointFieldType.UInt32: text.Append(BinaryPrimitives.ReadUInt32LittleEndian(value)); break;
            case PointFieldType.Int64: text.Append(BinaryPrimitives.ReadInt64LittleEndian(value)); break;
            case PointFieldType.UInt64: text.Append(BinaryPrimitives.ReadUInt64LittleEndian(value)); break;
            case PointFieldType.Float32: AppendFloat(text, BinaryPrimitives.ReadSingleLittleEndian(value)); break;
            default: AppendFloat(text, BinaryPrimitives.ReadDoubleLittleEndian(value)); break;
        }
    }

    private static void AppendFloat<T>(StringBuilder text, T value)
        where T : IFloatingPointIeee754<T>
    {
        if (T.IsNaN(value))
        {
            text.Append("nan");
        }
        else if (T.IsInfinity(value))
        {
            text.Append(T.IsNegative(value) ? "-inf" : "inf");
        }
        else
        {
            // .NET's default float formatting is the shortest round-trip form ("R").
            text.Append(value.ToString(null, CultureInfo.InvariantCulture));
        }
    }

    private static bool TryParseSingle(ReadOnlySpan<byte> token, out float value)
    {
        if (TryParseSpecial(token, out double special))
        {
            value = (float)special;
            return true;
        }

        // Parsed as float32 directly: going through double first can round differently (double rounding).
        return float.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryParseDouble(ReadOnlySpan<byte> token, out double value) =>
        TryParseSpecial(token, out value)
        || double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static bool TryParseSpecial(ReadOnlySpan<byte> token, out double value)
    {
        ReadOnlySpan<byte> body = token.Length > 0 && token[0] is (byte)'-' or (byte)'+' ? token[1..] : token;
        bool negative = token.Length > 0 && token[0] == (byte)'-';
        if (Ascii.EqualsIgnoreCase(body, "nan"u8) || Ascii.EqualsIgnoreCase(body, "nan(ind)"u8))
        {
            value = double.NaN;
            return true;
        }

        if (Ascii.EqualsIgnoreCase(body, "inf"u8) || Ascii.EqualsIgnoreCase(body, "infinity"u8))
        {
            value = negative ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }

        value = 0;
        return false;
    }
}
