namespace Perception.Ros2.Cdr;

/// <summary>
/// A CDR payload cannot be decoded: truncated, an unknown encapsulation, or a sequence or string length larger than
/// the bytes that remain. The message names the field and the byte offset (from the start of the payload).
/// </summary>
public sealed class CdrFormatException : Exception
{
    public CdrFormatException(string field, long offset, string problem)
        : base($"CDR field '{field}' at byte {offset}: {problem}")
    {
        Field = field;
        Offset = offset;
    }

    /// <summary>The field being read when the payload ran out or went wrong.</summary>
    public string Field { get; }

    /// <summary>Byte offset from the start of the serialized payload (encapsulation header included).</summary>
    public long Offset { get; }
}
