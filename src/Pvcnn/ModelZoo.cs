namespace Pvcnn;

/// <summary>A published spvnas model-zoo entry and its README figures (SemanticKITTI val, sequence 08).</summary>
public sealed record ZooEntry(string NetId, string Architecture, double? Cr, double ParamsMillions, double GMacs, double MIoU)
{
    /// <summary>A model of this entry's architecture and width with untrained weights (for sizes and timing);
    /// null for SPVNAS subnets, whose layout comes from their checkpoint.</summary>
    public SegmentationModel? CreateUntrained() => (Architecture, Cr) switch
    {
        ("minkunet", double cr) => new MinkUNet(cr),
        ("spvcnn", double cr) => new Spvcnn(cr),
        _ => null,
    };
}

/// <summary>The spvnas model zoo's SemanticKITTI models (spvnas README), for summaries and comparisons. The weights
/// themselves are not shipped: load them with <see cref="PvcnnModels.Load"/>.</summary>
public static class ModelZoo
{
    public static IReadOnlyList<ZooEntry> SemanticKitti { get; } =
    [
        new("SemanticKITTI_val_MinkUNet@29GMACs", "minkunet", 0.5, 5.5, 28.5, 58.9),
        new("SemanticKITTI_val_MinkUNet@46GMACs", "minkunet", 0.64, 8.8, 45.9, 60.3),
        new("SemanticKITTI_val_MinkUNet@114GMACs", "minkunet", 1.0, 21.7, 113.9, 61.1),
        new("SemanticKITTI_val_SPVCNN@30GMACs", "spvcnn", 0.5, 5.5, 30.0, 60.7),
        new("SemanticKITTI_val_SPVCNN@47GMACs", "spvcnn", 0.64, 8.8, 47.4, 61.4),
        new("SemanticKITTI_val_SPVCNN@119GMACs", "spvcnn", 1.0, 21.8, 118.6, 63.8),
        new("SemanticKITTI_val_SPVNAS@20GMACs", "spvnas", null, 3.3, 20.0, 61.5),
        new("SemanticKITTI_val_SPVNAS@25GMACs", "spvnas", null, 4.5, 24.6, 62.9),
        new("SemanticKITTI_val_SPVNAS@35GMACs", "spvnas", null, 7.0, 34.7, 63.5),
        new("SemanticKITTI_val_SPVNAS@65GMACs", "spvnas", null, 10.8, 64.5, 64.7),
    ];
}
