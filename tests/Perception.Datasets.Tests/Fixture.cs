using System.Runtime.CompilerServices;

namespace Perception.Datasets.Tests;

/// <summary>Paths of the committed fixture files and of per-test scratch folders.</summary>
internal static class Fixture
{
    /// <summary>A fixture as copied next to the test assembly.</summary>
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>The fixture folder in the source tree, where golden files are regenerated.</summary>
    public static string SourcePath(string name, [CallerFilePath] string thisFile = "") =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(thisFile)!, "Fixtures", name);
}

/// <summary>A fresh temporary folder, deleted with everything in it on dispose.</summary>
internal sealed class ScratchFolder : IDisposable
{
    public ScratchFolder()
    {
        Root = Directory.CreateTempSubdirectory("perception-datasets-").FullName;
    }

    public string Root { get; }

    public string File(string name) => System.IO.Path.Combine(Root, name);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
