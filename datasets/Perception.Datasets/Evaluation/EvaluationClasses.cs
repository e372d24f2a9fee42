using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Evaluation;

/// <summary>
/// The rows and columns of a confusion matrix: which class each raw SemanticKITTI label id (the low 16 bits of a
/// .label value) falls into, the class names, and which classes are ignored. Matrix positions ("slots") run
/// 0..<see cref="Count"/>−1; <see cref="ClassIndex"/> gives the class index a slot stands for in its learning map
/// (spvnas's ignore class 255 sits in the last slot).
/// </summary>
public sealed class EvaluationClasses
{
    private readonly int[] classIndices;
    private readonly string[] names;
    private readonly bool[] ignored;

    private EvaluationClasses(int[] classIndices, string[] names, bool[] ignored, Func<int, int?> slotOfRawId)
    {
        this.classIndices = classIndices;
        this.names = names;
        this.ignored = ignored;
        byte unknownSlot = (byte)classIndices.Length; // one past the last class slot
        SlotOfSemanticId = new byte[ushort.MaxValue + 1];
        for (int id = 0; id < SlotOfSemanticId.Length; id++)
        {
            SlotOfSemanticId[id] = (byte?)slotOfRawId(id) ?? unknownSlot;
        }
    }

    /// <summary>semantic-kitti-api's semantic-kitti.yaml: classes 0..19 (0 unlabeled, ignored), 20×20.</summary>
    public static EvaluationClasses Official { get; } = FromLearningMap(KittiLearningMap.Official);

    /// <summary>spvnas: classes 0..18 in slots 0..18, its ignore class 255 in slot 19, 20×20.</summary>
    public static EvaluationClasses Spvnas { get; } = FromLearningMap(KittiLearningMap.Spvnas);

    /// <summary>The built-in classes a variant is defined on: <see cref="Official"/> or <see cref="Spvnas"/>.</summary>
    public static EvaluationClasses For(IouVariant variant) => variant == IouVariant.Spvnas ? Spvnas : Official;

    /// <summary>Number of slots: the side of the confusion matrix.</summary>
    public int Count => classIndices.Length;

    /// <summary>The class index of a slot in its learning map (spvnas's ignore slot is 255).</summary>
    public int ClassIndex(int slot) => classIndices[slot];

    /// <summary>The class name of a slot ("car", ...; "unlabeled" for the official and spvnas ignore class).</summary>
    public string Name(int slot) => names[slot];

    /// <summary>Whether ground truth of this slot is left out of the scores.</summary>
    public bool IsIgnored(int slot) => ignored[slot];

    /// <summary>Slot of each semantic id 0..65535, or <see cref="Count"/> for ids the learning map lacks.</summary>
    internal byte[] SlotOfSemanticId { get; }

    /// <summary>
    /// The classes of a label configuration (semantic-kitti.yaml or a variant): slot = class index, ignored classes
    /// from <c>learning_ignore</c>.
    /// </summary>
    /// <exception cref="ArgumentException">More than 254 classes.</exception>
    public static EvaluationClasses FromConfig(KittiLabelConfig config)
    {
        if (config.ClassCount > byte.MaxValue - 1)
        {
            throw new ArgumentException($"{config.FilePath}: {config.ClassCount} classes; at most 254 are supported.",
                nameof(config));
        }

        int[] indices = Enumerable.Range(0, config.ClassCount).ToArray();
        return new EvaluationClasses(indices, indices.Select(config.ClassName).ToArray(),
            indices.Select(config.IgnoredClasses.Contains).ToArray(),
            id => config.LearningMap.TryGetValue(id, out int classIndex) ? classIndex : null);
    }

    private static EvaluationClasses FromLearningMap(KittiLearningMap map)
    {
        // The 19 classes plus the ignore class, in index order: official 0 (ignore), 1..19; spvnas 0..18, 255.
        int[] indices = Enumerable.Range(map.FirstClass, KittiLearningMap.ClassCount).Append(map.IgnoreIndex)
            .Order().ToArray();
        return new EvaluationClasses(indices, indices.Select(map.ClassName).ToArray(),
            indices.Select(index => index == map.IgnoreIndex).ToArray(),
            id => TryToClass(map, id) is int classIndex ? Array.IndexOf(indices, classIndex) : null);
    }

    private static int? TryToClass(KittiLearningMap map, int rawId)
    {
        Span<int> classIndex = stackalloc int[1];
        return map.MapUntilUnknown([(uint)rawId], classIndex) < 0 ? classIndex[0] : null;
    }
}
