using System.Text;

namespace Perception.Datasets.PointClouds;

/// <summary>
/// The text header of a PLY file: the encoding and the elements in file order, each with its properties.
/// Points are the "vertex" element; every other element (faces, cameras, ...) is skipped when reading.
/// </summary>
internal sealed class PlyHeader
{
    public required PlyEncoding Encoding { get; init; }

    public required IReadOnlyList<PlyElement> Elements { get; init; }

    /// <summary>Byte offset just after the end_header line.</summary>
    public required int DataOffset { get; init; }

    /// <summary>1-based number of the first line after end_header.</summary>
    public required int DataLine { get; init; }

    public static PlyHeader Parse(ReadOnlySpan<byte> file, string path)
    {
        PlyEncoding? encoding = null;
        var elements = new List<PlyElement>();
        int position = 0;
        for (int lineNumber = 1; ; lineNumber++)
        {
            if (position >= file.Length)
            {
                throw new DatasetFormatException(path, $"header ends at line {lineNumber - 1} without end_header");
            }

            int end = file[position..].IndexOf((byte)'\n');
            int stop = end < 0 ? file.Length : position + end;
            string line = System.Text.Encoding.Latin1.GetString(file[position..stop]).Trim();
            position = stop + 1;
            string[] tokens = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (lineNumber == 1)
            {
                if (line != "ply")
                {
                    throw new DatasetFormatException(path, $"line 1 is '{Shorten(line)}', not 'ply': not a PLY file");
                }

                continue;
            }

            switch (tokens.FirstOrDefault())
            {
                case null or "comment" or "obj_info":
                    break;
                case "format":
                    encoding = ParseFormat(tokens, line, lineNumber, path);
                    break;
                case "element":
                    elements.Add(ParseElement(tokens, elements, lineNumber, path));
                    break;
                case "property":
                    if (elements.Count == 0)
                    {
                        throw new DatasetFormatException(path, $"line {lineNumber}: property before any element");
                    }

                    elements[^1].Properties.Add(ParseProperty(tokens, elements[^1], lineNumber, path));
                    break;
                case "end_header":
                    return new PlyHeader
                    {
                        Encoding = encoding ?? throw new DatasetFormatException(path,
                            $"header has no format line (end_header at line {lineNumber})"),
                        Elements = elements,
                        DataOffset = Math.Min(position, file.Length),
                        DataLine = lineNumber + 1,
                    };
                default:
                    throw new DatasetFormatException(path,
                        $"line {lineNumber}: '{Shorten(tokens[0])}' is not a PLY header keyword " +
                        "(format, element, property, comment, obj_info, end_header)");
            }
        }
    }

    /// <summary>A header declaring one vertex element with a property per field.</summary>
    public static string Format(PointCloud cloud, PlyEncoding encoding)
    {
        var text = new StringBuilder("ply\n");
        text.Append("format ").Append(FormatName(encoding)).Append(" 1.0\n");
        text.Append("comment written by Perception.Datasets\n");
        text.Append("element vertex ").Append(cloud.PointCount).Append('\n');
        foreach (PointField field in cloud.Fields)
        {
            text.Append("property ").Append(TypeName(field.Type)).Append(' ').Append(field.Name).Append('\n');
        }

        return text.Append("end_header\n").ToString();
    }

    private static string FormatName(PlyEncoding encoding) => encoding switch
    {
        PlyEncoding.Ascii => "ascii",
        PlyEncoding.BinaryLittleEndian => "binary_little_endian",
        PlyEncoding.BinaryBigEndian => "binary_big_endian",
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Unknown PLY encoding."),
    };

    private static string TypeName(PointFieldType type) => type switch
    {
        PointFieldType.Int8 => "char",
        PointFieldType.UInt8 => "uchar",
        PointFieldType.Int16 => "short",
        PointFieldType.UInt16 => "ushort",
        PointFieldType.Int32 => "int",
        PointFieldType.UInt32 => "uint",
        PointFieldType.Float32 => "float",
        PointFieldType.Float64 => "double",
        _ => throw new ArgumentException($"PLY has no {type} property type."),
    };

    private static PointFieldType? ParseType(string name) => name switch
    {
        "char" or "int8" => PointFieldType.Int8,
        "uchar" or "uint8" => PointFieldType.UInt8,
        "short" or "int16" => PointFieldType.Int16,
        "ushort" or "uint16" => PointFieldType.UInt16,
        "int" or "int32" => PointFieldType.Int32,
        "uint" or "uint32" => PointFieldType.UInt32,
        "float" or "float32" => PointFieldType.Float32,
        "double" or "float64" => PointFieldType.Float64,
        _ => null,
    };

    private static PlyEncoding ParseFormat(string[] tokens, string line, int lineNumber, string path)
    {
        PlyEncoding? encoding = tokens.Length != 3 || tokens[2] is not ("1.0" or "1") ? null : tokens[1] switch
        {
            "ascii" => PlyEncoding.Ascii,
            "binary_little_endian" => PlyEncoding.BinaryLittleEndian,
            "binary_big_endian" => PlyEncoding.BinaryBigEndian,
            _ => null,
        };
        return encoding ?? throw new DatasetFormatException(path,
            $"line {lineNumber}: unsupported format line '{Shorten(line)}' " +
            "(expected ascii, binary_little_endian or binary_big_endian, version 1.0)");
    }

    private static PlyElement ParseElement(string[] tokens, List<PlyElement> elements, int lineNumber, string path)
    {
        if (tokens.Length != 3 || !int.TryParse(tokens[2], System.Globalization.NumberStyles.None, null, out int count))
        {
            throw new DatasetFormatException(path,
                $"line {lineNumber}: expected 'element <name> <count>' with a count of 0 or more");
        }

        if (elements.Exists(e => e.Name == tokens[1]))
        {
            throw new DatasetFormatException(path, $"line {lineNumber}: element '{Shorten(tokens[1])}' appears twice");
        }

        return new PlyElement(tokens[1], count);
    }

    private static PlyProperty ParseProperty(string[] tokens, PlyElement element, int lineNumber, string path)
    {
        bool isList = tokens.Length > 1 && tokens[1] == "list";
        if (tokens.Length != (isList ? 5 : 3))
        {
            throw new DatasetFormatException(path, $"line {lineNumber}: expected 'property <type> <name>' or " +
                "'property list <count type> <item type> <name>'");
        }

        string name = tokens[^1];
        if (element.Properties.Exists(p => p.Name == name))
        {
            throw new DatasetFormatException(path,
                $"line {lineNumber}: element '{element.Name}' has property '{Shorten(name)}' twice");
        }

        // Vertex properties become cloud fields, and a field name cannot hold the white space the split lets through.
        if (element.Name == "vertex" && !isList && !PointCloud.IsFieldName(name))
        {
            throw new DatasetFormatException(path, $"line {lineNumber}, property '{Shorten(name)}': white space " +
                $"(U+{(int)name.First(char.IsWhiteSpace):X4}) in the name");
        }

        PointFieldType type = ParseType(tokens[^2]) ?? throw new DatasetFormatException(path,
            $"line {lineNumber}, property '{Shorten(name)}': unknown type '{Shorten(tokens[^2])}'");
        if (!isList)
        {
            return new PlyProperty(name, type, null);
        }

        PointFieldType? countType = ParseType(tokens[2]);
        if (countType is null || countType.Value.IsFloatingPoint())
        {
            throw new DatasetFormatException(path,
                $"line {lineNumber}, property '{Shorten(name)}': " +
                $"list count type '{Shorten(tokens[2])}' is not an integer type");
        }

        return new PlyProperty(name, type, countType);
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "...";
}

/// <summary>One "element" declaration and its properties.</summary>
internal sealed record PlyElement(string Name, int Count)
{
    public List<PlyProperty> Properties { get; } = [];

    public bool HasLists => Properties.Exists(p => p.ListCountType is not null);

    /// <summary>Bytes per instance when there are no lists; the fixed part otherwise.</summary>
    public int FixedSize => Properties.Sum(p => (p.ListCountType ?? p.Type).SizeInBytes());
}

/// <summary>A scalar property, or a list (ListCountType set) of Type items.</summary>
internal sealed record PlyProperty(string Name, PointFieldType Type, PointFieldType? ListCountType);
