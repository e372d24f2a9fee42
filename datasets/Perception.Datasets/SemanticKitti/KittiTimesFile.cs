namespace Perception.Datasets.SemanticKitti;

/// <summary><c>sequences/NN/times.txt</c>: one timestamp per scan, in seconds from the first scan.</summary>
public static class KittiTimesFile
{
    /// <summary>Every timestamp, in scan order; blank lines are skipped.</summary>
    /// <exception cref="DatasetFormatException">A line is not one finite number.</exception>
    public static double[] Read(string path)
    {
        var times = new List<double>();
        foreach ((int line, double[] values) in KittiTextMatrices.NumberRows(path))
        {
            times.Add(values.Length == 1
                ? values[0]
                : throw new DatasetFormatException(path, $"line {line}: {values.Length} values, expected one time"));
        }

        return [.. times];
    }

    /// <summary>Writes one timestamp a line atomically, in KITTI's exponent notation.</summary>
    public static void Write(string path, IEnumerable<double> seconds) =>
        KittiTextMatrices.WriteLines(path, seconds.Select(KittiTextMatrices.Format));
}
