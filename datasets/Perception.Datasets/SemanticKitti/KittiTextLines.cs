using System.Globalization;

namespace Perception.Datasets.SemanticKitti;

/// <summary>Parsing shared by <c>calib.txt</c> and <c>poses.txt</c>: lines of 12 whitespace-separated numbers.</summary>
internal static class KittiTextLines
{
    private static readonly char[] Whitespace = [' ', '\t', '\r'];

    /// <summary>Parses the 12 numbers of a 3×4 matrix; <paramref name="where"/> names the line in errors.</summary>
    /// <exception cref="DatasetFormatException">Not 12 numbers, or one is not a finite number.</exception>
    public static KittiTransform ParseTransform(string path, string where, string text)
    {
        string[] fields = text.Split(Whitespace, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 12)
        {
            throw new DatasetFormatException(path,
                $"{where}: {fields.Length} numbers, expected 12 (a row-major 3x4 matrix)");
        }

        Span<double> values = stackalloc double[12];
        for (int i = 0; i < 12; i++)
        {
            if (!double.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i])
                || !double.IsFinite(values[i]))
            {
                throw new DatasetFormatException(path, $"{where}, value {i + 1}: '{fields[i]}' is not a finite number");
            }
        }

        return new KittiTransform(values);
    }

    /// <summary>The lines with their 1-based numbers; blank lines are allowed only at the end of the file.</summary>
    /// <exception cref="DatasetFormatException">A blank line stands before a non-blank one.</exception>
    public static IEnumerable<(int Number, string Text)> NonBlankLines(string path)
    {
        int number = 0;
        int firstBlank = 0;
        foreach (string line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                firstBlank = firstBlank == 0 ? number : firstBlank;
                continue;
            }

            if (firstBlank != 0)
            {
                // One line per scan: a blank line in the middle would shift every later pose by one.
                throw new DatasetFormatException(path, $"line {firstBlank}: blank line before line {number}");
            }

            yield return (number, line);
        }
    }
}
