using Perception.Datasets.IO;

namespace Perception.Datasets.SemanticKitti;

/// <summary>
/// SemanticKITTI label files (<c>labels/XXXXXX.label</c>, and <c>predictions/XXXXXX.label</c> for the benchmark):
/// one little-endian uint32 per point, semantic id in the low 16 bits, instance id in the high 16.
/// </summary>
public static class KittiLabelFile
{
    private const string RecordDescription = "one uint32 label per point";

    /// <summary>The raw uint32 labels.</summary>
    /// <exception cref="DatasetFormatException">The size is not a multiple of 4 bytes.</exception>
    public static uint[] Read(string path) => RawArrayFile.Read<uint>(path, 4, RecordDescription);

    /// <summary>The raw labels of a scan with <paramref name="expectedPointCount"/> points.</summary>
    /// <exception cref="DatasetFormatException">The file holds a different number of labels.</exception>
    public static uint[] Read(string path, int expectedPointCount)
    {
        uint[] labels = Read(path);
        if (labels.Length != expectedPointCount)
        {
            throw new DatasetFormatException(path, CountProblem(labels.Length, expectedPointCount));
        }

        return labels;
    }

    /// <summary>Reads raw labels into <paramref name="labels"/>, whose length is the scan's point count.</summary>
    /// <exception cref="DatasetFormatException">The file holds a different number of labels.</exception>
    internal static void ReadInto(string path, Span<uint> labels)
    {
        if (!RawArrayFile.TryReadInto(path, labels, out long length))
        {
            throw new DatasetFormatException(path, length % 4 != 0
                ? $"size {length} bytes is not a multiple of 4 ({RecordDescription})"
                : CountProblem(length / 4, labels.Length));
        }
    }

    /// <summary>The labels mapped to class indices of <paramref name="map"/> (instance ids dropped).</summary>
    /// <exception cref="DatasetFormatException">The count differs, or a label's semantic id is unknown.</exception>
    public static int[] ReadClasses(string path, int expectedPointCount, KittiLearningMap map)
    {
        uint[] labels = Read(path, expectedPointCount);
        var classes = new int[labels.Length];
        int bad = map.MapUntilUnknown(labels, classes);
        if (bad >= 0)
        {
            throw new DatasetFormatException(path,
                $"point {bad} has semantic id {SemanticId(labels[bad])} (label 0x{labels[bad]:X8}), " +
                "which is not a SemanticKITTI label id");
        }

        return classes;
    }

    /// <summary>Writes raw uint32 labels atomically (temporary file, then rename).</summary>
    public static void Write(string path, ReadOnlySpan<uint> labels) => RawArrayFile.Write(path, labels);

    private static string CountProblem(long labels, int points) =>
        $"holds {labels} labels but its scan has {points} points";

    /// <summary>The semantic id: the low 16 bits.</summary>
    public static ushort SemanticId(uint label) => (ushort)label;

    /// <summary>The instance id: the high 16 bits.</summary>
    public static ushort InstanceId(uint label) => (ushort)(label >> 16);
}
