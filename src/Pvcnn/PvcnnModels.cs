using TorchSparse;
using TorchSparse.Checkpoints;
using TorchSparse.Nn;

namespace Pvcnn;

/// <summary>Builds the models from checkpoints: architecture by name or by what the checkpoint contains, sizes from
/// its tensor shapes, then a strict load.</summary>
public static class PvcnnModels
{
    /// <summary>The architectures this library builds, as the CLI spells them.</summary>
    public static IReadOnlyList<string> Architectures { get; } = ["minkunet", "spvcnn", "spvnas"];

    /// <summary>
    /// Loads a checkpoint file (torch.save zip or legacy). Without <paramref name="architecture"/>, SPVNAS is
    /// recognised by its keys and MinkUNet vs SPVCNN (identical key sets) by the file's path, as the model zoo
    /// names its folders (…_MinkUNet@29GMACs/init).
    /// </summary>
    /// <exception cref="ModelLoadException">The architecture cannot be told or the checkpoint does not fit it.</exception>
    public static SegmentationModel Load(string path, string? architecture = null, CheckpointOptions? options = null)
    {
        IReadOnlyDictionary<string, Tensor> stateDict = TorchCheckpoint.Load(path, options);
        string arch = architecture ?? Detect(stateDict, path);
        SegmentationModel model = Create(stateDict, arch, path);
        model.Load(stateDict, new StateDictOptions(), path);
        return model;
    }

    /// <summary>An unloaded model of <paramref name="architecture"/> shaped after <paramref name="stateDict"/>.</summary>
    public static SegmentationModel Create(IReadOnlyDictionary<string, Tensor> stateDict, string architecture, string? source = null) =>
        architecture.ToLowerInvariant() switch
        {
            "minkunet" => MinkUNet.FromStateDict(stateDict, source),
            "spvcnn" => Spvcnn.FromStateDict(stateDict, source),
            "spvnas" => Spvnas.FromStateDict(stateDict, source),
            _ => throw new ModelLoadException(
                $"unknown architecture '{architecture}'; known: {string.Join(", ", Architectures)}."),
        };

    private static string Detect(IReadOnlyDictionary<string, Tensor> stateDict, string path)
    {
        if (stateDict.ContainsKey("downsample.0.transition.net.conv.kernel"))
        {
            return "spvnas";
        }

        if (!stateDict.ContainsKey("stage1.0.net.0.kernel"))
        {
            throw new ModelLoadException(
                $"'{path}' is neither a MinkUNet/SPVCNN nor an SPVNAS checkpoint (no stage1.0.net.0.kernel or downsample.0.transition.net.conv.kernel).");
        }

        string name = path.Replace('\\', '/');
        bool spvcnn = name.Contains("spvcnn", StringComparison.OrdinalIgnoreCase);
        bool minkunet = name.Contains("minkunet", StringComparison.OrdinalIgnoreCase);
        return (spvcnn, minkunet) switch
        {
            (true, false) => "spvcnn",
            (false, true) => "minkunet",
            _ => throw new ModelLoadException(
                $"'{path}' holds MinkUNet/SPVCNN weights (the two share every key); say which with the architecture (minkunet or spvcnn)."),
        };
    }
}
