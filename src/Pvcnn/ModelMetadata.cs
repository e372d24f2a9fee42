using System.Globalization;

namespace Pvcnn;

/// <summary>
/// What a checkpoint must say besides its tensors for a model to be rebuilt from it alone: the architecture
/// (MinkUNet and SPVCNN share every key) and the voxel size its input pipeline used. Written into the
/// <c>__metadata__</c> of the safetensors files this SDK saves; read back by <see cref="PvcnnModels.Load"/>.
/// </summary>
public static class ModelMetadata
{
    public const string ArchitectureKey = "architecture";
    public const string VoxelSizeKey = "voxel_size";

    /// <summary>The metadata entries describing <paramref name="model"/>.</summary>
    public static IReadOnlyDictionary<string, string> Of(SegmentationModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ArchitectureKey] = model.Architecture,
            [VoxelSizeKey] = model.VoxelSize.ToString("R", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>The voxel size recorded in <paramref name="metadata"/>, or null when there is none.</summary>
    /// <exception cref="ModelLoadException">The entry is not a positive number.</exception>
    internal static float? VoxelSize(IReadOnlyDictionary<string, string> metadata, string source)
    {
        if (!metadata.TryGetValue(VoxelSizeKey, out string? text))
        {
            return null;
        }

        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float size) && size > 0 && float.IsFinite(size)
            ? size
            : throw new ModelLoadException($"{source}: metadata {VoxelSizeKey} '{text}' is not a positive size in metres.");
    }
}
