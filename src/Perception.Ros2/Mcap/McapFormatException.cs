namespace Perception.Ros2.Mcap;

/// <summary>An MCAP file is malformed: bad magic, a record running past the end, a CRC mismatch, a corrupt or
/// undecompressable chunk, a truncated file. The message names the file offset and the record.</summary>
public sealed class McapFormatException : Exception
{
    public McapFormatException(long offset, string record, string problem, Exception? inner = null)
        : base($"MCAP {record} at byte {offset}: {problem}", inner)
    {
        Offset = offset;
        Record = record;
    }

    /// <summary>File offset of the record (or field) that is wrong.</summary>
    public long Offset { get; }

    /// <summary>The record kind, e.g. "Chunk", "Footer".</summary>
    public string Record { get; }
}
