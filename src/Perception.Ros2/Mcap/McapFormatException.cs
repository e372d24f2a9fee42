namespace Perception.Ros2.Mcap;

/// <summary>An MCAP file is malformed: bad magic, a record running past the end, a CRC mismatch, a corrupt or
/// undecompressable chunk, a truncated file. The message names the file (when read through
/// <see cref="McapReader"/>), the offset and the record.</summary>
public sealed class McapFormatException : Exception
{
    public McapFormatException(long offset, string record, string problem, Exception? inner = null)
        : base($"MCAP {record} at byte {offset}: {problem}", inner)
    {
        Offset = offset;
        Record = record;
    }

    private McapFormatException(string filePath, McapFormatException unnamed)
        : base($"{filePath}: {unnamed.Message}", unnamed.InnerException)
    {
        FilePath = filePath;
        Offset = unnamed.Offset;
        Record = unnamed.Record;
    }

    /// <summary>The file the record is in; null for bytes parsed without a file.</summary>
    public string? FilePath { get; }

    /// <summary>File offset of the record (or field) that is wrong.</summary>
    public long Offset { get; }

    /// <summary>The record kind, e.g. "Chunk", "Footer".</summary>
    public string Record { get; }

    /// <summary>The same fault, named with the file it was found in.</summary>
    internal McapFormatException InFile(string path) => FilePath is null ? new McapFormatException(path, this) : this;
}
