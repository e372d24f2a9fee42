using System.Text;

namespace Perception.Datasets.PointClouds;

/// <summary>PCD DATA ascii: one line per point, values separated by spaces, fields in header order.</summary>
internal static class PcdAscii
{
    public static void Read(ReadOnlySpan<byte> data, PcdHeader header, PointField?[] columns, string path)
    {
        var reader = new AsciiTokens(data, header.DataLine);
        // Sized only once a point exists: the data length check that bounds ValuesPerPoint is skipped for POINTS 0,
        // where COUNTs alone could ask for a billion ranges.
        Span<Range> tokens = header.Points == 0 ? [] : new Range[header.ValuesPerPoint + 1];
        for (int point = 0; point < header.Points; point++)
        {
            if (!reader.NextLine(out ReadOnlySpan<byte> line))
            {
                throw new DatasetFormatException(path,
                    $"ascii data ends after {point} of POINTS {header.Points} points (line {reader.Line})");
            }

            int found = AsciiTokens.Split(line, tokens);
            if (found != header.ValuesPerPoint)
            {
                string counted = found > header.ValuesPerPoint ? $"more than {header.ValuesPerPoint}" : $"{found}";
                throw new DatasetFormatException(path,
                    $"line {reader.Line}: {counted} values; the header declares {header.ValuesPerPoint} per point");
            }

            int token = 0;
            for (int f = 0; f < columns.Length; f++)
            {
                PcdFieldSpec spec = header.Fields[f];
                int size = spec.Type.SizeInBytes();
                for (int c = 0; c < spec.Count; c++, token++)
                {
                    if (columns[f] is not { } column)
                    {
                        continue;
                    }

                    ReadOnlySpan<byte> text = line[tokens[token]];
                    if (!AsciiValues.TryParse(text, spec.Type, column.Bytes.Slice(((point * spec.Count) + c) * size)))
                    {
                        throw new DatasetFormatException(path, $"line {reader.Line}, field '{spec.Name}': " +
                            $"'{AsciiTokens.Show(text)}' is not a {spec.Type}");
                    }
                }
            }
        }

        if (reader.NextLine(out _))
        {
            throw new DatasetFormatException(path,
                $"line {reader.Line}: more ascii data than POINTS {header.Points} declares");
        }
    }

    public static void Write(Stream stream, PointCloud cloud)
    {
        var text = new StringBuilder();
        IReadOnlyList<PointField> fields = cloud.Fields;
        for (int point = 0; point < cloud.PointCount; point++)
        {
            for (int f = 0; f < fields.Count; f++)
            {
                PointField field = fields[f];
                int size = field.Type.SizeInBytes();
                for (int c = 0; c < field.Count; c++)
                {
                    if (f > 0 || c > 0)
                    {
                        text.Append(' ');
                    }

                    AsciiValues.Append(text, field.Bytes.Slice(((point * field.Count) + c) * size, size), field.Type);
                }
            }

            text.Append('\n');
            if (text.Length > 1 << 16)
            {
                Flush(stream, text);
            }
        }

        Flush(stream, text);
    }

    private static void Flush(Stream stream, StringBuilder text)
    {
        stream.Write(Encoding.ASCII.GetBytes(text.ToString()));
        text.Clear();
    }
}
