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
    /// Loads a model from a checkpoint file (torch.save zip or legacy), a model-zoo folder (holding <c>init</c> and,
    /// for SPVNAS, <c>net.config</c>) or an SPVNAS <c>net.config</c> (its checkpoint is the <c>init</c> beside it).
    /// Without <paramref name="architecture"/>, SPVNAS is recognised by its keys and MinkUNet vs SPVCNN (identical
    /// key sets) by the path, as the model zoo names its folders (…_MinkUNet@29GMACs/init).
    /// </summary>
    /// <exception cref="ModelLoadException">The architecture cannot be told, or checkpoint and config disagree.</exception>
    /// <exception cref="StateDictMismatchException">The checkpoint's keys or shapes do not fit the architecture.</exception>
    public static SegmentationModel Load(string path, string? architecture = null, CheckpointOptions? options = null)
    {
        (string checkpoint, string? configPath) = Locate(path);
        IReadOnlyDictionary<string, Tensor> stateDict = TorchCheckpoint.Load(checkpoint, options);
        IReadOnlyDictionary<string, string> metadata = checkpoint.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)
            ? Safetensors.ReadMetadata(checkpoint)
            : new Dictionary<string, string>();
        string arch = architecture ?? metadata.GetValueOrDefault(ModelMetadata.ArchitectureKey)
            ?? (configPath is null ? Detect(stateDict, checkpoint) : "spvnas");
        SegmentationModel model = Create(stateDict, arch, checkpoint);
        if (ModelMetadata.VoxelSize(metadata, checkpoint) is float voxelSize)
        {
            model.VoxelSize = voxelSize;
        }

        if (configPath is not null && model is Spvnas spvnas)
        {
            SpvnasConfig config = SpvnasConfig.Load(configPath);
            config.Verify(spvnas, stateDict);
            model.VoxelSize = (float)config.VoxelResolution;
        }

        model.Load(stateDict, new StateDictOptions(), checkpoint);
        return model;
    }

    private static (string Checkpoint, string? Config) Locate(string path)
    {
        if (Directory.Exists(path))
        {
            string config = Path.Combine(path, "net.config");
            return (Beside(path, path), File.Exists(config) ? config : null);
        }

        if (!File.Exists(path))
        {
            throw new ModelLoadException($"model '{path}' does not exist.");
        }

        bool isConfig = path.EndsWith(".config", StringComparison.OrdinalIgnoreCase)
            || path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        return isConfig ? (Beside(Path.GetDirectoryName(Path.GetFullPath(path))!, path), path) : (path, null);
    }

    /// <summary>The model zoo stores the weights as a file named init next to net.config.</summary>
    private static string Beside(string folder, string what)
    {
        foreach (string name in new[] { "init", "init.pt", "init.pth" })
        {
            string candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new ModelLoadException($"no checkpoint for '{what}': expected a file named init (or init.pt) in '{folder}'.");
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
