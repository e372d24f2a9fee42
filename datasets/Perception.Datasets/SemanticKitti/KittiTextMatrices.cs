using System.Globalization;
using System.Text;
using Perception.Datasets.IO;

namespace Perception.Datasets.SemanticKitti;

/// <summary>
/// The text layout shared by poses.txt, calib.txt and times.txt: whitespace-separated numbers, one record a line,
/// printed like KITTI's own files ("%e"-style, here with 12 decimals so poses round-trip to about 1e-12).
/// </summary>
internal static class KittiTextMatrices
{
    private const string NumberFormat = "0.000000000000e+00";

    // Adding +0.0 turns −0 into +0, so a zero never prints as "-0.000000000000e+00".
    public static string Format(double value) => (value + 0.0).ToString(NumberFormat, CultureInfo.InvariantCulture);

    public static string FormatRow(IEnumerable<double> values) => string.Join(' ', values.Select(Format));

    /// <summary>The numbers of every non-blank line with its 1-based line number (poses.txt, times.txt).</summary>
    public static IEnumerable<(int Line, double[] Values)> NumberRows(string path)
    {
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            if (!string.IsNullOrWhiteSpace(text))
            {
                yield return (line, ParseNumbers(path, line, text));
            }
        }
    }

    /// <summary>Parses every whitespace-separated number of <paramref name="text"/>; line is for the message.</summary>
    public static double[] ParseNumbers(string path, int line, string text)
    {
        string[] tokens = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var values = new double[tokens.Length];
        for (int i = 0; i < tokens.Length; i++)
        {
            if (!double.TryParse(tokens[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i])
                || !double.IsFinite(values[i]))
            {
                throw new DatasetFormatException(path, $"line {line}: '{tokens[i]}' is not a finite number");
            }
        }

        return values;
    }

    /// <summary>Writes the lines atomically (temporary file, then rename), each ended by '\n'.</summary>
    public static void WriteLines(string path, IEnumerable<string> lines)
    {
        using AtomicFile file = AtomicFile.Create(path);
        using (var writer = new StreamWriter(file.Stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true))
        {
            writer.NewLine = "\n";
            foreach (string line in lines)
            {
                writer.WriteLine(line);
            }
        }

        file.Commit();
    }
}
