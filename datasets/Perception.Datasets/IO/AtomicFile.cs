namespace Perception.Datasets.IO;

/// <summary>
/// Writes a file so that readers see either the old content or the complete new content, never a torn file:
/// the data goes to a temporary file in the target's folder (same file system, so the rename is atomic) and
/// <see cref="Commit"/> renames it over the target. Disposing without committing deletes the temporary file.
/// </summary>
internal sealed class AtomicFile : IDisposable
{
    private readonly string targetPath;
    private readonly string temporaryPath;
    private readonly FileStream stream;
    private bool committed;

    private AtomicFile(string targetPath)
    {
        this.targetPath = Path.GetFullPath(targetPath);
        string folder = Path.GetDirectoryName(this.targetPath)
            ?? throw new ArgumentException($"'{targetPath}' has no parent folder.", nameof(targetPath));
        temporaryPath = Path.Combine(folder, $".{Path.GetFileName(this.targetPath)}.{Guid.NewGuid():N}.tmp");
        stream = new FileStream(temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
    }

    /// <summary>The temporary file's stream; write the whole content here, then call <see cref="Commit"/>.</summary>
    public Stream Stream => stream;

    public static AtomicFile Create(string targetPath) => new(targetPath);

    /// <summary>Flushes the data to disk and renames the temporary file over the target.</summary>
    public void Commit()
    {
        stream.Flush(flushToDisk: true);
        stream.Dispose();
        File.Move(temporaryPath, targetPath, overwrite: true);
        committed = true;
    }

    public void Dispose()
    {
        stream.Dispose();
        if (!committed)
        {
            File.Delete(temporaryPath);
        }
    }
}
