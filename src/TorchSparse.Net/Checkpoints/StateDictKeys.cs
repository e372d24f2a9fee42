namespace TorchSparse.Checkpoints;

/// <summary>Key rules every checkpoint reader applies, whatever the container.</summary>
internal static class StateDictKeys
{
    private const string ModulePrefix = "module.";

    /// <summary>The key without a leading "module.", which DataParallel puts in front of every parameter.</summary>
    public static string WithoutModulePrefix(string key) =>
        key.StartsWith(ModulePrefix, StringComparison.Ordinal) ? key[ModulePrefix.Length..] : key;

    public static string DuplicateMessage(string key) =>
        $"key '{key}' occurs twice once the '{ModulePrefix}' prefix is removed";
}
