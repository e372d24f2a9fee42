namespace Perception.Datasets.SemanticKitti;

/// <summary>
/// Maps SemanticKITTI raw label ids (the low 16 bits of a .label value) to the class indices a model predicts,
/// and back for writing prediction files. Two conventions exist for the same 19 classes:
/// <see cref="Official"/> (semantic-kitti-api learning_map: classes 1..19, 0 ignored) and <see cref="Spvnas"/>
/// (spvnas core/datasets/semantic_kitti.py, whose checkpoints output 19 logits: classes 0..18, 255 ignored, and
/// bus, on-rails, lane-marking and the other merged-away ids are ignored instead of merged).
/// </summary>
public sealed class KittiLearningMap
{
    private const int Unknown = -1;

    // Class names in official order: index 0 is the ignore class, 1..19 the evaluated classes.
    private static readonly string[] OfficialNames =
    [
        "unlabeled", "car", "bicycle", "motorcycle", "truck", "other-vehicle", "person", "bicyclist",
        "motorcyclist", "road", "parking", "sidewalk", "other-ground", "building", "fence", "vegetation", "trunk",
        "terrain", "pole", "traffic-sign",
    ];

    // Every raw id with its official class (semantic-kitti.yaml learning_map) and its spvnas class (label_map
    // built from label_name_mapping and kept_labels; 255 = ignored).
    private static readonly (ushort RawId, byte Official, byte Spvnas)[] RawIds =
    [
        (0, 0, 255), (1, 0, 255), (10, 1, 0), (11, 2, 1), (13, 5, 255), (15, 3, 2), (16, 5, 255), (18, 4, 3),
        (20, 5, 4), (30, 6, 5), (31, 7, 6), (32, 8, 7), (40, 9, 8), (44, 10, 9), (48, 11, 10), (49, 12, 11),
        (50, 13, 12), (51, 14, 13), (52, 0, 255), (60, 9, 255), (70, 15, 14), (71, 16, 15), (72, 17, 16),
        (80, 18, 17), (81, 19, 18), (99, 0, 255), (252, 1, 0), (253, 7, 6), (254, 6, 5), (255, 8, 7),
        (256, 5, 255), (257, 5, 255), (258, 4, 3), (259, 5, 4),
    ];

    // learning_map_inv: official class -> the raw id written to prediction files (0 for the ignore class).
    private static readonly ushort[] OfficialToRaw =
        [0, 10, 11, 15, 18, 20, 30, 31, 32, 40, 44, 48, 49, 50, 51, 70, 71, 72, 80, 81];

    private readonly int[] classOfRawId;

    private KittiLearningMap(bool spvnas)
    {
        FirstClass = spvnas ? 0 : 1;
        IgnoreIndex = spvnas ? 255 : 0;
        classOfRawId = new int[RawIds[^1].RawId + 1];
        Array.Fill(classOfRawId, Unknown);
        foreach ((ushort rawId, byte official, byte spvnasClass) in RawIds)
        {
            classOfRawId[rawId] = spvnas ? spvnasClass : official;
        }
    }

    /// <summary>semantic-kitti-api: classes 1..19, 0 = ignored (unlabeled, outlier, other-structure, ...).</summary>
    public static KittiLearningMap Official { get; } = new(spvnas: false);

    /// <summary>spvnas checkpoints: classes 0..18 (official − 1), 255 = ignored.</summary>
    public static KittiLearningMap Spvnas { get; } = new(spvnas: true);

    /// <summary>Number of evaluated classes: 19 in both conventions.</summary>
    public const int ClassCount = 19;

    /// <summary>Index of the first class: 1 (official) or 0 (spvnas); classes run to FirstClass + 18.</summary>
    public int FirstClass { get; }

    /// <summary>The index ignored raw ids map to: 0 (official) or 255 (spvnas).</summary>
    public int IgnoreIndex { get; }

    /// <summary>"car" ... "traffic-sign"; "unlabeled" for <see cref="IgnoreIndex"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Neither a class nor the ignore index.</exception>
    public string ClassName(int classIndex) => OfficialNames[ToOfficial(classIndex)];

    /// <summary>The class of a raw label; the instance bits are ignored.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The semantic id is not a SemanticKITTI label id.</exception>
    public int ToClass(uint label)
    {
        int semantic = KittiLabelFile.SemanticId(label);
        int classIndex = semantic < classOfRawId.Length ? classOfRawId[semantic] : Unknown;
        return classIndex != Unknown ? classIndex : throw new ArgumentOutOfRangeException(nameof(label), label,
            $"Semantic id {semantic} is not a SemanticKITTI label id.");
    }

    /// <summary>Maps every label; see <see cref="ToClass"/>.</summary>
    /// <exception cref="ArgumentException">A semantic id is unknown (the message names the point) or the
    /// lengths differ.</exception>
    public void ToClasses(ReadOnlySpan<uint> labels, Span<int> classes)
    {
        int bad = MapUntilUnknown(labels, classes);
        if (bad >= 0)
        {
            throw new ArgumentException(
                $"Point {bad} has semantic id {KittiLabelFile.SemanticId(labels[bad])}, which is not a SemanticKITTI " +
                "label id.", nameof(labels));
        }
    }

    /// <summary>The raw id to write for a predicted class (learning_map_inv); the ignore index writes 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Neither a class nor the ignore index.</exception>
    public uint ToRawLabel(int classIndex) => OfficialToRaw[ToOfficial(classIndex)];

    /// <summary>Maps every predicted class to its raw id; see <see cref="ToRawLabel"/>.</summary>
    public void ToRawLabels(ReadOnlySpan<int> classes, Span<uint> labels)
    {
        CheckLengths(classes.Length, labels.Length);
        for (int i = 0; i < classes.Length; i++)
        {
            labels[i] = ToRawLabel(classes[i]);
        }
    }

    /// <summary>The raw ids of predicted classes, as a .label file stores them; see <see cref="ToRawLabel"/>.</summary>
    public uint[] ToRawLabels(ReadOnlySpan<int> classes)
    {
        var labels = new uint[classes.Length];
        ToRawLabels(classes, labels);
        return labels;
    }

    /// <summary>Maps labels to classes and returns -1, or the index of the first unknown semantic id.</summary>
    internal int MapUntilUnknown(ReadOnlySpan<uint> labels, Span<int> classes)
    {
        CheckLengths(labels.Length, classes.Length);
        for (int i = 0; i < labels.Length; i++)
        {
            int semantic = KittiLabelFile.SemanticId(labels[i]);
            int classIndex = semantic < classOfRawId.Length ? classOfRawId[semantic] : Unknown;
            if (classIndex == Unknown)
            {
                return i;
            }

            classes[i] = classIndex;
        }

        return -1;
    }

    private int ToOfficial(int classIndex)
    {
        if (classIndex == IgnoreIndex)
        {
            return 0;
        }

        if (classIndex < FirstClass || classIndex >= FirstClass + ClassCount)
        {
            throw new ArgumentOutOfRangeException(nameof(classIndex), classIndex,
                $"Classes run {FirstClass}..{FirstClass + ClassCount - 1}, ignore is {IgnoreIndex}.");
        }

        return classIndex - FirstClass + 1;
    }

    private static void CheckLengths(int source, int destination)
    {
        if (source != destination)
        {
            throw new ArgumentException($"Source has {source} values, destination {destination}.");
        }
    }
}
