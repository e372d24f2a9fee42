namespace Perception.Viewer.Tests;

/// <summary>Folders of this repository, found from the test binaries upwards.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>Committed reference pictures (see ReferenceImageTests for how to regenerate them).</summary>
    public static string References => Path.Combine(Root, "tests", "Perception.Viewer.Tests", "Reference");

    /// <summary>What the reference tests rendered, for looking at after a failure (git-ignored).</summary>
    public static string ActualOutput => Directory.CreateDirectory(Path.Combine(Root, "artifacts", "viewer-actual")).FullName;

    public static string GltfValidator => Path.Combine(Root, "tools", "gltf-validator");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Perception.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no Perception.sln above {AppContext.BaseDirectory}");
    }
}
