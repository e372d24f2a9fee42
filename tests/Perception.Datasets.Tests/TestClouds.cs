using System.Globalization;
using System.Numerics;
using Perception.Datasets.PointClouds;

namespace Perception.Datasets.Tests;

/// <summary>Clouds with known content, and a field-by-field comparison.</summary>
internal static class TestClouds
{
    // The same fields and rows as KNOWN_FIELDS / KNOWN_ROWS in Fixtures/generate_fixtures.py.
    private static readonly (string Name, PointFieldType Type, int Count)[] KnownFields =
    [
        ("x", PointFieldType.Float32, 1), ("y", PointFieldType.Float32, 1), ("z", PointFieldType.Float32, 1),
        ("intensity", PointFieldType.Float32, 1), ("ring", PointFieldType.UInt16, 1),
        ("time", PointFieldType.Float64, 1), ("i8", PointFieldType.Int8, 1), ("u8", PointFieldType.UInt8, 1),
        ("i16", PointFieldType.Int16, 1), ("i32", PointFieldType.Int32, 1), ("u32", PointFieldType.UInt32, 1),
        ("i64", PointFieldType.Int64, 1), ("u64", PointFieldType.UInt64, 1), ("normal", PointFieldType.Float32, 3),
    ];

    private static readonly string[] KnownRows =
    [
        "1.5 -2.25 3 0.5 7 1700000000.123456 -5 200 -300 -2147483648 4294967295 -9000000000000000 9000000000000000 0 0 1",
        "nan 0.1 -0 1 65535 0 127 255 32767 2147483647 0 0 0 0.25 -0.5 nan",
        "1e-30 3.4028235e+38 -7.75 255 0 -1e-300 -128 0 -32768 0 1 1 1 1 2 3",
        "4 5 6 7 1 2.5 0 1 1 -1 123456 -42 42 -1 -2 -3",
    ];

    /// <summary>One field of every PCD type plus a COUNT-3 field; VIEWPOINT 0.5 -1 2 1 0 0 0.</summary>
    public static PointCloud Known() => Build(KnownFields, KnownRows);

    /// <summary>The first 11 known fields (PLY has no 64-bit integers), without the viewpoint.</summary>
    public static PointCloud KnownForPly()
    {
        PointCloud cloud = Build(KnownFields[..11], KnownRows.Select(r => string.Join(' ', r.Split(' ')[..11])));
        cloud.ViewpointOrigin = Vector3.Zero;
        return cloud;
    }

    private static PointCloud Build((string Name, PointFieldType Type, int Count)[] fields, IEnumerable<string> rows)
    {
        string[][] values = rows.Select(r => r.Split(' ')).ToArray();
        var cloud = new PointCloud(values.Length) { ViewpointOrigin = new Vector3(0.5f, -1, 2) };
        int column = 0;
        foreach ((string name, PointFieldType type, int count) in fields)
        {
            PointField field = cloud.AddField(name, type, count);
            for (int p = 0; p < values.Length; p++)
            {
                for (int c = 0; c < count; c++)
                {
                    Set(field, (p * count) + c, values[p][column + c]);
                }
            }

            column += count;
        }

        return cloud;
    }

    /// <summary>
    /// x, y, z and a field "value" of <paramref name="type"/> holding the type's edge values (min, max, smallest
    /// subnormal, nan, -0, ...); with two values per point the second runs through them backwards.
    /// </summary>
    public static PointCloud EdgeValues(PointFieldType type, int valuesPerPoint)
    {
        string[] values = type switch
        {
            PointFieldType.Int8 => ["-128", "127", "0", "-1"],
            PointFieldType.UInt8 => ["0", "255", "1", "128"],
            PointFieldType.Int16 => ["-32768", "32767", "0", "-1"],
            PointFieldType.UInt16 => ["0", "65535", "1", "32768"],
            PointFieldType.Int32 => ["-2147483648", "2147483647", "0", "-1"],
            PointFieldType.UInt32 => ["0", "4294967295", "1", "2147483648"],
            PointFieldType.Int64 => ["-9223372036854775808", "9223372036854775807", "0", "-1"],
            PointFieldType.UInt64 => ["0", "18446744073709551615", "1", "9007199254740993"],
            PointFieldType.Float32 => ["-3.4028235E+38", "1E-45", "nan", "-0"],
            _ => ["-1.7976931348623157E+308", "5E-324", "nan", "0.1"],
        };
        var cloud = new PointCloud(values.Length);
        Span<float> x = cloud.AddField("x", PointFieldType.Float32).AsSpan<float>();
        cloud.AddField("y", PointFieldType.Float32);
        cloud.AddField("z", PointFieldType.Float32);
        PointField field = cloud.AddField("value", type, valuesPerPoint);
        for (int p = 0; p < values.Length; p++)
        {
            x[p] = p * 0.1f;
            for (int c = 0; c < valuesPerPoint; c++)
            {
                Set(field, (valuesPerPoint * p) + c, values[c == 0 ? p : values.Length - 1 - p]);
            }
        }

        return cloud;
    }

    /// <summary>Stores one value given as text (invariant culture; "nan" allowed).</summary>
    public static void Set(PointField field, int index, string text)
    {
        var c = CultureInfo.InvariantCulture;
        switch (field.Type)
        {
            case PointFieldType.Int8: field.AsSpan<sbyte>()[index] = sbyte.Parse(text, c); break;
            case PointFieldType.UInt8: field.AsSpan<byte>()[index] = byte.Parse(text, c); break;
            case PointFieldType.Int16: field.AsSpan<short>()[index] = short.Parse(text, c); break;
            case PointFieldType.UInt16: field.AsSpan<ushort>()[index] = ushort.Parse(text, c); break;
            case PointFieldType.Int32: field.AsSpan<int>()[index] = int.Parse(text, c); break;
            case PointFieldType.UInt32: field.AsSpan<uint>()[index] = uint.Parse(text, c); break;
            case PointFieldType.Int64: field.AsSpan<long>()[index] = long.Parse(text, c); break;
            case PointFieldType.UInt64: field.AsSpan<ulong>()[index] = ulong.Parse(text, c); break;
            case PointFieldType.Float32:
                field.AsSpan<float>()[index] = text == "nan" ? float.NaN : float.Parse(text, c);
                break;
            default:
                field.AsSpan<double>()[index] = text == "nan" ? double.NaN : double.Parse(text, c);
                break;
        }
    }

    /// <summary>
    /// Same organisation, fields (name, type, count, order) and values. Floats compare bit for bit (so -0 and 0
    /// differ) except that any NaN equals any NaN: peers differ in NaN payloads.
    /// </summary>
    public static void AssertSame(PointCloud expected, PointCloud actual)
    {
        Assert.Equal((expected.Width, expected.Height), (actual.Width, actual.Height));
        Assert.Equal(
            expected.Fields.Select(f => (f.Name, f.Type, f.Count)),
            actual.Fields.Select(f => (f.Name, f.Type, f.Count)));
        for (int f = 0; f < expected.Fields.Count; f++)
        {
            PointField e = expected.Fields[f];
            PointField a = actual.Fields[f];
            switch (e.Type)
            {
                case PointFieldType.Float32:
                    AssertFloats(e.AsSpan<float>().ToArray().Select(v => (double)v), a.AsSpan<float>().ToArray()
                        .Select(v => (double)v), e.Name);
                    break;
                case PointFieldType.Float64:
                    AssertFloats(e.AsSpan<double>().ToArray(), a.AsSpan<double>().ToArray(), e.Name);
                    break;
                default:
                    Assert.Equal(IntegerValues(e), IntegerValues(a));
                    break;
            }
        }
    }

    private static string[] IntegerValues(PointField field) => field.Type switch
    {
        PointFieldType.Int8 => Text(field.AsSpan<sbyte>().ToArray()),
        PointFieldType.UInt8 => Text(field.AsSpan<byte>().ToArray()),
        PointFieldType.Int16 => Text(field.AsSpan<short>().ToArray()),
        PointFieldType.UInt16 => Text(field.AsSpan<ushort>().ToArray()),
        PointFieldType.Int32 => Text(field.AsSpan<int>().ToArray()),
        PointFieldType.UInt32 => Text(field.AsSpan<uint>().ToArray()),
        PointFieldType.Int64 => Text(field.AsSpan<long>().ToArray()),
        _ => Text(field.AsSpan<ulong>().ToArray()),
    };

    private static string[] Text<T>(T[] values) => values.Select(v => $"{v}").ToArray();

    private static void AssertFloats(IEnumerable<double> expected, IEnumerable<double> actual, string name)
    {
        double[] e = expected.ToArray();
        double[] a = actual.ToArray();
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++)
        {
            bool same = (double.IsNaN(e[i]) && double.IsNaN(a[i]))
                || BitConverter.DoubleToInt64Bits(e[i]) == BitConverter.DoubleToInt64Bits(a[i]);
            Assert.True(same, $"field {name} value {i}: expected {e[i]:R}, got {a[i]:R}");
        }
    }
}
