namespace Perception.Datasets.PointClouds;

/// <summary>
/// One standard attribute of a LAS point record other than X, Y, Z: a whole little-endian value at
/// <see cref="Offset"/>, or, when <see cref="BitCount"/> is non-zero, <see cref="BitCount"/> bits of the byte at
/// <see cref="Offset"/> starting at bit <see cref="BitShift"/>.
/// </summary>
internal readonly record struct LasDimension(
    string Name, PointFieldType Type, int Offset, int BitShift = 0, int BitCount = 0)
{
    public bool IsBitField => BitCount > 0;

    /// <summary>Largest value the attribute holds.</summary>
    public double MaxValue => IsBitField ? (1 << BitCount) - 1 : Type switch
    {
        PointFieldType.Int8 => sbyte.MaxValue,
        PointFieldType.UInt8 => byte.MaxValue,
        PointFieldType.Int16 => short.MaxValue,
        PointFieldType.UInt16 => ushort.MaxValue,
        _ => double.MaxValue,
    };

    /// <summary>Smallest value the attribute holds.</summary>
    public double MinValue => IsBitField ? 0 : Type switch
    {
        PointFieldType.Int8 => sbyte.MinValue,
        PointFieldType.Int16 => short.MinValue,
        PointFieldType.UInt8 or PointFieldType.UInt16 => 0,
        _ => double.MinValue,
    };
}

/// <summary>
/// The point data record formats this library reads and writes (ASPRS LAS 1.4 R15, section 2.6): the legacy
/// formats 0-3 and the 1.4 formats 6-8. Formats 4, 5, 9 and 10 add waveform packets and are not supported.
/// X, Y, Z are the int32 values at bytes 0, 4 and 8 of every format; the rest is listed per format here.
/// </summary>
internal static class LasPointFormats
{
    public const string ReturnNumber = "return_number";
    public const string Classification = "classification";

    private static readonly LasDimension[] Legacy =
    [
        new("intensity", PointFieldType.UInt16, 12),
        new(ReturnNumber, PointFieldType.UInt8, 14, 0, 3),
        new("number_of_returns", PointFieldType.UInt8, 14, 3, 3),
        new("scan_direction_flag", PointFieldType.UInt8, 14, 6, 1),
        new("edge_of_flight_line", PointFieldType.UInt8, 14, 7, 1),
        new(Classification, PointFieldType.UInt8, 15, 0, 5),
        new("synthetic", PointFieldType.UInt8, 15, 5, 1),
        new("key_point", PointFieldType.UInt8, 15, 6, 1),
        new("withheld", PointFieldType.UInt8, 15, 7, 1),
        new("scan_angle_rank", PointFieldType.Int8, 16),
        new("user_data", PointFieldType.UInt8, 17),
        new("point_source_id", PointFieldType.UInt16, 18),
    ];

    private static readonly LasDimension[] Extended =
    [
        new("intensity", PointFieldType.UInt16, 12),
        new(ReturnNumber, PointFieldType.UInt8, 14, 0, 4),
        new("number_of_returns", PointFieldType.UInt8, 14, 4, 4),
        new("synthetic", PointFieldType.UInt8, 15, 0, 1),
        new("key_point", PointFieldType.UInt8, 15, 1, 1),
        new("withheld", PointFieldType.UInt8, 15, 2, 1),
        new("overlap", PointFieldType.UInt8, 15, 3, 1),
        new("scanner_channel", PointFieldType.UInt8, 15, 4, 2),
        new("scan_direction_flag", PointFieldType.UInt8, 15, 6, 1),
        new("edge_of_flight_line", PointFieldType.UInt8, 15, 7, 1),
        new(Classification, PointFieldType.UInt8, 16),
        new("user_data", PointFieldType.UInt8, 17),
        new("scan_angle", PointFieldType.Int16, 18),
        new("point_source_id", PointFieldType.UInt16, 20),
        new("gps_time", PointFieldType.Float64, 22),
    ];

    private static readonly LasDimension[][] Dimensions =
    [
        Legacy,
        [.. Legacy, new("gps_time", PointFieldType.Float64, 20)],
        [.. Legacy, .. Rgb(20)],
        [.. Legacy, new("gps_time", PointFieldType.Float64, 20), .. Rgb(28)],
        [],
        [],
        Extended,
        [.. Extended, .. Rgb(30)],
        [.. Extended, .. Rgb(30), new("nir", PointFieldType.UInt16, 36)],
    ];

    private static readonly int[] BaseSizes = [20, 28, 26, 34, 0, 0, 30, 36, 38];

    public static bool IsSupported(int format) => format is >= 0 and <= 3 or >= 6 and <= 8;

    /// <summary>Formats 6-10 exist from LAS 1.4 on.</summary>
    public static bool NeedsVersion14(int format) => format >= 6;

    /// <summary>Bytes of the format's standard attributes; a record may be longer (extra bytes).</summary>
    public static int BaseSize(int format) => BaseSizes[format];

    /// <summary>The standard attributes after X, Y, Z, in record order.</summary>
    public static IReadOnlyList<LasDimension> For(int format) => Dimensions[format];

    private static LasDimension[] Rgb(int offset) =>
    [
        new("red", PointFieldType.UInt16, offset),
        new("green", PointFieldType.UInt16, offset + 2),
        new("blue", PointFieldType.UInt16, offset + 4),
    ];
}
