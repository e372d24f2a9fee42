namespace Perception.Datasets.SemanticKitti;

/// <summary>
/// A sequence's <c>calib.txt</c> (KITTI odometry): lines <c>KEY: 12 numbers</c>, each a row-major 3×4 matrix:
/// the camera projections <c>P0</c>..<c>P3</c> and <c>Tr</c>, velodyne to camera 0.
/// </summary>
public sealed class KittiCalibration
{
    private readonly Dictionary<string, KittiTransform> matrices;

    private KittiCalibration(string path, Dictionary<string, KittiTransform> matrices)
    {
        FilePath = path;
        this.matrices = matrices;
    }

    /// <summary>The file it was read from (named in errors).</summary>
    public string FilePath { get; }

    /// <summary>The keys in file order (for example P0, P1, P2, P3, Tr).</summary>
    public IReadOnlyCollection<string> Keys => matrices.Keys;

    /// <summary><c>Tr</c>: velodyne (LiDAR) frame to camera 0 frame.</summary>
    /// <exception cref="DatasetFormatException">The file has no <c>Tr</c> line.</exception>
    public KittiTransform VelodyneToCamera => this["Tr"];

    /// <summary>The matrix of one key.</summary>
    /// <exception cref="DatasetFormatException">The file has no such key.</exception>
    public KittiTransform this[string key] => matrices.TryGetValue(key, out KittiTransform? matrix)
        ? matrix
        : throw new DatasetFormatException(FilePath, $"no '{key}:' line (keys: {string.Join(", ", matrices.Keys)})");

    /// <summary>Reads <c>calib.txt</c>.</summary>
    /// <exception cref="DatasetFormatException">A line is not <c>KEY: 12 numbers</c>, or a key repeats; the
    /// message names the file and the line.</exception>
    public static KittiCalibration Read(string path)
    {
        var matrices = new Dictionary<string, KittiTransform>(StringComparer.Ordinal);
        foreach ((int number, string line) in KittiTextLines.NonBlankLines(path))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            string key = colon > 0 ? line[..colon].Trim() : string.Empty;
            if (key.Length == 0)
            {
                throw new DatasetFormatException(path, $"line {number}: expected 'KEY: 12 numbers'");
            }

            KittiTransform matrix = KittiTextLines.ParseTransform(path, $"line {number} ({key})", line[(colon + 1)..]);
            if (!matrices.TryAdd(key, matrix))
            {
                throw new DatasetFormatException(path, $"line {number}: key '{key}' appears twice");
            }
        }

        return new KittiCalibration(path, matrices);
    }
}
