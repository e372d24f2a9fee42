namespace TorchSparse.IO;

/// <summary>
/// Writes a file so that readers see either the old content or the whole new content, never a torn file: the data
/// goes to a temporary file in the target's folder (same file system, so the rename is atomic), reaches the disk,
/// and is then renamed over the target.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Runs <paramref name="write"/> on the temporary file, then renames it over <paramref name="path"/>.
    /// When <paramref name="write"/> throws, the temporary file is deleted and <paramref name="path"/> is untouched.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                // On disk before the rename, so a crash leaves the old file or the whole new one.
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
