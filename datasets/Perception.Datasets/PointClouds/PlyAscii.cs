using System.Globalization;
using System.Text;

namespace Perception.Datasets.PointClouds;

/// <summary>PLY format ascii: element instances as white-space separated values, elements in header order.</summary>
internal static class PlyAscii
{
    public static PointCloud Read(ReadOnlySpan<byte> file, PlyHeader header, string path)
    {
        var tokens = new AsciiTokens(file[header.DataOffset..], header.DataLine);
        foreach (PlyElement element in header.Elements)
        {
            bool isVertex = element.Name == "vertex";
            if (isVertex)
            {
                return ReadVertices(ref tokens, file.Length - header.DataOffset, element, path);
            }

            // An element without properties has no values, however large its count.
            for (int i = 0; i < element.Count && element.Properties.Count > 0; i++)
            {
                foreach (PlyProperty property in element.Properties)
                {
                    SkipValue(ref tokens, element, i, property, path);
                }
            }
        }

        throw new InvalidOperationException("unreachable: the vertex element was checked to exist");
    }

    public static void Write(Stream stream, PointCloud cloud)
    {
        var text = new StringBuilder();
        IReadOnlyList<PointField> fields = cloud.Fields;
        for (int point = 0; point < cloud.PointCount; point++)
        {
            for (int f = 0; f < fields.Count; f++)
            {
                int size = fields[f].Type.SizeInBytes();
                AsciiValues.Append(text.Append(f > 0 ? " " : ""), fields[f].Bytes.Slice(point * size, size),
                    fields[f].Type);
            }

            text.Append('\n');
            if (text.Length > 1 << 16)
            {
                stream.Write(Encoding.ASCII.GetBytes(text.ToString()));
                text.Clear();
            }
        }

        stream.Write(Encoding.ASCII.GetBytes(text.ToString()));
    }

    private static PointCloud ReadVertices(ref AsciiTokens tokens, int dataLength, PlyElement vertex, string path)
    {
        // Every value takes a character and a separator: a count the data cannot hold fails before allocating.
        long minimum = ((long)vertex.Count * vertex.Properties.Count * 2) - 1;
        if (vertex.Count > 0 && minimum > dataLength)
        {
            throw new DatasetFormatException(path,
                $"ascii data has {dataLength} bytes, too short for {vertex.Count} vertices × " +
                $"{vertex.Properties.Count} properties");
        }

        (PointCloud cloud, PointField?[] columns) = PlyFile.CreateCloud(vertex);
        for (int i = 0; i < vertex.Count; i++)
        {
            for (int p = 0; p < columns.Length; p++)
            {
                PlyProperty property = vertex.Properties[p];
                if (columns[p] is not { } column)
                {
                    SkipValue(ref tokens, vertex, i, property, path);
                    continue;
                }

                ReadOnlySpan<byte> token = Next(ref tokens, vertex, i, property, path);
                int size = column.Type.SizeInBytes();
                if (!AsciiValues.TryParse(token, column.Type, column.Bytes.Slice(i * size, size)))
                {
                    throw new DatasetFormatException(path,
                        $"line {tokens.Line}, vertex {i}, property '{property.Name}': " +
                        $"'{AsciiTokens.Show(token)}' is not a {column.Type}");
                }
            }
        }

        return cloud;
    }

    private static void SkipValue(ref AsciiTokens tokens, PlyElement element, int instance, PlyProperty property,
        string path)
    {
        ReadOnlySpan<byte> token = Next(ref tokens, element, instance, property, path);
        if (property.ListCountType is null)
        {
            return;
        }

        if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int count))
        {
            throw new DatasetFormatException(path,
                $"line {tokens.Line}, {element.Name} {instance}, list '{property.Name}': " +
                $"'{AsciiTokens.Show(token)}' is not a list length");
        }

        for (int k = 0; k < count; k++)
        {
            Next(ref tokens, element, instance, property, path);
        }
    }

    private static ReadOnlySpan<byte> Next(ref AsciiTokens tokens, PlyElement element, int instance,
        PlyProperty property, string path) =>
        tokens.NextToken(out ReadOnlySpan<byte> token) ? token : throw new DatasetFormatException(path,
            $"ascii data ends (line {tokens.Line}) in {element.Name} {instance} of {element.Count}, " +
            $"property '{property.Name}'");
}
