using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Simulation;

/// <summary>Raw id → official train id as a table: a scan maps every point and must not throw.</summary>
internal static class RawLabelClasses
{
    private static readonly byte[] Table = Build();

    public static SemanticLabel TrainId(KittiRawLabel raw) => TrainId((ushort)raw);

    public static SemanticLabel TrainId(ushort semanticId) =>
        semanticId < Table.Length ? (SemanticLabel)Table[semanticId] : SemanticLabel.Unlabeled;

    private static byte[] Build()
    {
        var table = new byte[(int)KittiRawLabel.MovingOtherVehicle + 1];
        foreach (KittiRawLabel raw in Enum.GetValues<KittiRawLabel>())
        {
            table[(int)raw] = (byte)KittiLearningMap.Official.ToClass((uint)raw);
        }

        return table;
    }
}
