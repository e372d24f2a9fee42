using System.Globalization;
using System.Numerics;
using System.Text;

namespace Perception.Datasets.PointClouds;

/// <summary>
/// The text header of a PCD file (v0.7; v0.6 files, which may lack VERSION, COUNT, VIEWPOINT or POINTS, are read
/// with the v0.7 defaults). Fields named "_" are PCL's padding: they take up bytes but are not cloud fields.
/// </summary>
internal sealed class PcdHeader
{
    private static readonly string[] Keywords =
        ["VERSION", "FIELDS", "SIZE", "TYPE", "COUNT", "WIDTH", "HEIGHT", "VIEWPOINT", "POINTS", "DATA"];

    public required IReadOnlyList<PcdFieldSpec> Fields { get; init; }

    public required int Width { get; init; }

    public required int Height { get; init; }

    public required int Points { get; init; }

    public required Vector3 ViewpointOrigin { get; init; }

    public required Quaternion ViewpointOrientation { get; init; }

    public required PcdEncoding Encoding { get; init; }

    /// <summary>Byte offset of the first data byte (just after the DATA line).</summary>
    public required int DataOffset { get; init; }

    /// <summary>1-based line number of the first data line (for ascii error messages).</summary>
    public required int DataLine { get; init; }

    /// <summary>Bytes per point record, padding included.</summary>
    public int RecordSize => Fields.Sum(f => f.ItemSize);

    /// <summary>Values per point, padding included (the tokens of one ascii line).</summary>
    public int ValuesPerPoint => Fields.Sum(f => f.Count);

    public static PcdHeader Parse(ReadOnlySpan<byte> file, string path)
    {
        var lines = new Dictionary<string, (string[] Values, int Line)>();
        int position = 0;
        int lineNumber = 0;
        while (true)
        {
            if (position >= file.Length)
            {
                throw new DatasetFormatException(path, $"header ends at line {lineNumber} without a DATA line");
            }

            int end = file[position..].IndexOf((byte)'\n');
            int next = end < 0 ? file.Length : position + end + 1;
            ReadOnlySpan<byte> bytes = file[position..(end < 0 ? file.Length : position + end)];
            position = next;
            lineNumber++;
            string line = System.Text.Encoding.Latin1.GetString(bytes).Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            string[] tokens = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            string keyword = tokens[0].ToUpperInvariant();
            if (Array.IndexOf(Keywords, keyword) < 0)
            {
                throw new DatasetFormatException(path,
                    $"line {lineNumber}: '{Shorten(tokens[0])}' is not a PCD header keyword " +
                    $"({string.Join(", ", Keywords)})");
            }

            if (!lines.TryAdd(keyword, (tokens[1..], lineNumber)))
            {
                throw new DatasetFormatException(path,
                    $"line {lineNumber}: {keyword} appears twice (first at line {lines[keyword].Line})");
            }

            if (keyword == "DATA")
            {
                return Build(lines, path, position, lineNumber);
            }
        }
    }

    private static PcdHeader Build(
        Dictionary<string, (string[] Values, int Line)> lines, string path, int dataOffset, int dataLine)
    {
        var reader = new HeaderValues(lines, path);
        reader.CheckVersion();
        string[] names = reader.Require("FIELDS", dataLine);
        string[] sizes = reader.Require("SIZE", dataLine);
        string[] types = reader.Require("TYPE", dataLine);
        string[]? counts = reader.Optional("COUNT");
        reader.CheckLength("SIZE", sizes, names.Length);
        reader.CheckLength("TYPE", types, names.Length);
        if (counts is not null)
        {
            reader.CheckLength("COUNT", counts, names.Length);
        }

        var fields = new PcdFieldSpec[names.Length];
        var seen = new HashSet<string>();
        for (int f = 0; f < names.Length; f++)
        {
            if (names[f] != "_" && !seen.Add(names[f]))
            {
                throw reader.Error("FIELDS", $"field '{names[f]}' is declared twice");
            }

            if (!PointCloud.IsFieldName(names[f]))
            {
                throw reader.Error("FIELDS", $"field '{Shorten(names[f])}' has white space " +
                    $"(U+{(int)names[f].First(char.IsWhiteSpace):X4}) in its name");
            }

            int count = counts is null ? 1 : reader.ParseInt("COUNT", counts[f], names[f], 1);
            fields[f] = new PcdFieldSpec(names[f], reader.FieldType(names[f], sizes[f], types[f]), count);
        }

        int? width = reader.OptionalInt("WIDTH");
        int height = reader.OptionalInt("HEIGHT") ?? 1;
        int? points = reader.OptionalInt("POINTS");
        width ??= points is { } p && height > 0 ? p / height : null;
        if (width is null)
        {
            throw new DatasetFormatException(path, $"header has neither WIDTH nor POINTS (DATA at line {dataLine})");
        }

        long organised = (long)width.Value * height;
        if (points is { } declared && declared != organised)
        {
            throw reader.Error("POINTS", $"POINTS {declared} is not WIDTH × HEIGHT = {width} × {height}");
        }

        if (organised > int.MaxValue)
        {
            throw reader.Error(lines.ContainsKey("HEIGHT") ? "HEIGHT" : "WIDTH",
                $"WIDTH × HEIGHT = {width} × {height} is more points than one cloud can hold");
        }

        // Kept within int so that record offsets cannot overflow; real records are a few hundred bytes at most.
        if (fields.Sum(f => (long)f.Type.SizeInBytes() * f.Count) > int.MaxValue / 2)
        {
            throw reader.Error(counts is null ? "SIZE" : "COUNT", "one point record would exceed 1 GiB");
        }

        (Vector3 origin, Quaternion orientation) = reader.Viewpoint();
        return new PcdHeader
        {
            Fields = fields,
            Width = width.Value,
            Height = height,
            Points = (int)organised,
            ViewpointOrigin = origin,
            ViewpointOrientation = orientation,
            Encoding = reader.Encoding(),
            DataOffset = dataOffset,
            DataLine = dataLine + 1,
        };
    }

    /// <summary>Writes a v0.7 header for the cloud's fields, ending with the DATA line.</summary>
    public static string Format(PointCloud cloud, PcdEncoding encoding)
    {
        IReadOnlyList<PointField> fields = cloud.Fields;
        Vector3 o = cloud.ViewpointOrigin;
        Quaternion q = cloud.ViewpointOrientation;
        var text = new StringBuilder();
        text.Append("# .PCD v0.7 - Point Cloud Data file format\n");
        text.Append("VERSION 0.7\n");
        text.Append("FIELDS ").AppendJoin(' ', fields.Select(f => f.Name)).Append('\n');
        text.Append("SIZE ").AppendJoin(' ', fields.Select(f => f.Type.SizeInBytes())).Append('\n');
        text.Append("TYPE ").AppendJoin(' ', fields.Select(f => TypeLetter(f.Type))).Append('\n');
        text.Append("COUNT ").AppendJoin(' ', fields.Select(f => f.Count)).Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"WIDTH {cloud.Width}\nHEIGHT {cloud.Height}\n");
        text.Append(CultureInfo.InvariantCulture, $"VIEWPOINT {o.X} {o.Y} {o.Z} {q.W} {q.X} {q.Y} {q.Z}\n");
        text.Append(CultureInfo.InvariantCulture, $"POINTS {cloud.PointCount}\n");
        text.Append("DATA ").Append(encoding switch
        {
            PcdEncoding.Ascii => "ascii",
            PcdEncoding.Binary => "binary",
            PcdEncoding.BinaryCompressed => "binary_compressed",
            _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Unknown PCD encoding."),
        }).Append('\n');
        return text.ToString();
    }

    private static char TypeLetter(PointFieldType type) =>
        type.IsFloatingPoint() ? 'F' : type.IsSigned() ? 'I' : 'U';

    private static string Shorten(string token) => token.Length <= 40 ? token : token[..40] + "...";

    /// <summary>Typed access to the collected header lines, with errors that name the line and keyword.</summary>
    private sealed class HeaderValues(Dictionary<string, (string[] Values, int Line)> lines, string path)
    {
        public DatasetFormatException Error(string keyword, string problem) =>
            new(path, $"line {lines[keyword].Line} ({keyword}): {problem}");

        public string[] Require(string keyword, int dataLine)
        {
            if (!lines.TryGetValue(keyword, out var entry))
            {
                throw new DatasetFormatException(path, $"header has no {keyword} line (DATA at line {dataLine})");
            }

            if (entry.Values.Length == 0)
            {
                throw Error(keyword, "no values");
            }

            return entry.Values;
        }

        public string[]? Optional(string keyword) => lines.TryGetValue(keyword, out var entry) ? entry.Values : null;

        public void CheckLength(string keyword, string[] values, int fieldCount)
        {
            if (values.Length != fieldCount)
            {
                throw Error(keyword, $"{values.Length} values for {fieldCount} FIELDS");
            }
        }

        public void CheckVersion()
        {
            if (Optional("VERSION") is { } version
                && (version.Length != 1 || version[0] is not ("0.7" or ".7" or "0.6" or ".6" or "0.5" or ".5")))
            {
                throw Error("VERSION", $"'{Shorten(string.Join(' ', version))}' is not a supported version (0.5-0.7)");
            }
        }

        public int ParseInt(string keyword, string token, string field, int minimum)
        {
            if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < minimum)
            {
                string where = field == keyword ? "" : $"field '{field}': ";
                throw Error(keyword, $"{where}'{Shorten(token)}' is not an integer >= {minimum}");
            }

            return value;
        }

        public int? OptionalInt(string keyword)
        {
            if (Optional(keyword) is not { } values)
            {
                return null;
            }

            if (values.Length != 1)
            {
                throw Error(keyword, $"expected one value, found {values.Length}");
            }

            return ParseInt(keyword, values[0], keyword, 0);
        }

        public PointFieldType FieldType(string field, string sizeToken, string typeToken)
        {
            int size = ParseInt("SIZE", sizeToken, field, 1);
            PointFieldType? type = (typeToken.ToUpperInvariant(), size) switch
            {
                ("I", 1) => PointFieldType.Int8,
                ("I", 2) => PointFieldType.Int16,
                ("I", 4) => PointFieldType.Int32,
                ("I", 8) => PointFieldType.Int64,
                ("U", 1) => PointFieldType.UInt8,
                ("U", 2) => PointFieldType.UInt16,
                ("U", 4) => PointFieldType.UInt32,
                ("U", 8) => PointFieldType.UInt64,
                ("F", 4) => PointFieldType.Float32,
                ("F", 8) => PointFieldType.Float64,
                _ => null,
            };
            return type ?? throw Error("TYPE",
                $"field '{field}' has TYPE '{Shorten(typeToken)}' with SIZE {size}; " +
                "expected I or U with SIZE 1, 2, 4 or 8, or F with SIZE 4 or 8");
        }

        public (Vector3 Origin, Quaternion Orientation) Viewpoint()
        {
            if (Optional("VIEWPOINT") is not { } values)
            {
                return (Vector3.Zero, Quaternion.Identity);
            }

            if (values.Length != 7)
            {
                throw Error("VIEWPOINT", $"expected 7 values (tx ty tz qw qx qy qz), found {values.Length}");
            }

            var v = new float[7];
            for (int i = 0; i < 7; i++)
            {
                if (!float.TryParse(values[i], NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]))
                {
                    throw Error("VIEWPOINT", $"value {i + 1} '{Shorten(values[i])}' is not a number");
                }
            }

            return (new Vector3(v[0], v[1], v[2]), new Quaternion(v[4], v[5], v[6], v[3]));
        }

        public PcdEncoding Encoding()
        {
            string[] values = lines["DATA"].Values;
            return (values.Length == 1 ? values[0].ToLowerInvariant() : null) switch
            {
                "ascii" => PcdEncoding.Ascii,
                "binary" => PcdEncoding.Binary,
                "binary_compressed" => PcdEncoding.BinaryCompressed,
                _ => throw Error("DATA",
                    $"'{Shorten(string.Join(' ', values))}' is not ascii, binary or binary_compressed"),
            };
        }
    }
}

/// <summary>One FIELDS entry: name ("_" for padding), type and values per point.</summary>
internal sealed record PcdFieldSpec(string Name, PointFieldType Type, int Count)
{
    public bool IsPadding => Name == "_";

    public int ItemSize => Type.SizeInBytes() * Count;
}
