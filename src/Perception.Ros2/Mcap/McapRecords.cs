namespace Perception.Ros2.Mcap;

/// <summary>MCAP record opcodes (foxglove/mcap specification).</summary>
public enum McapOpcode : byte
{
    Header = 0x01,
    Footer = 0x02,
    Schema = 0x03,
    Channel = 0x04,
    Message = 0x05,
    Chunk = 0x06,
    MessageIndex = 0x07,
    ChunkIndex = 0x08,
    Attachment = 0x09,
    AttachmentIndex = 0x0A,
    Statistics = 0x0B,
    Metadata = 0x0C,
    MetadataIndex = 0x0D,
    SummaryOffset = 0x0E,
    DataEnd = 0x0F,
}

/// <summary>Header record: profile (<c>ros2</c> for rosbag2) and the writing library.</summary>
public sealed record McapHeader(string Profile, string Library);

/// <summary>Schema record (id ≠ 0).</summary>
public sealed record McapSchema(ushort Id, string Name, string Encoding, ReadOnlyMemory<byte> Data);

/// <summary>Channel record; schema id 0 means schemaless.</summary>
public sealed record McapChannel(ushort Id, ushort SchemaId, string Topic, string MessageEncoding,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>Message record; times are nanoseconds. <see cref="Data"/> is a slice of the decompressed chunk.</summary>
public sealed record McapMessage(ushort ChannelId, uint Sequence, ulong LogTime, ulong PublishTime,
    ReadOnlyMemory<byte> Data);

/// <summary>Metadata record (rosbag2 writes one named <c>rosbag2</c>).</summary>
public sealed record McapMetadata(string Name, IReadOnlyDictionary<string, string> Metadata);

/// <summary>Statistics record.</summary>
public sealed record McapStatistics(ulong MessageCount, ushort SchemaCount, uint ChannelCount, uint AttachmentCount,
    uint MetadataCount, uint ChunkCount, ulong MessageStartTime, ulong MessageEndTime,
    IReadOnlyDictionary<ushort, ulong> ChannelMessageCounts);

/// <summary>A message with the channel and schema it was written on.</summary>
public sealed record McapMessageView(McapMessage Message, McapChannel Channel, McapSchema? Schema);

/// <summary>ChunkIndex record: where a chunk is and what it covers.</summary>
internal sealed record McapChunkIndex(ulong MessageStartTime, ulong MessageEndTime, ulong ChunkStartOffset,
    ulong ChunkLength, IReadOnlyDictionary<ushort, ulong> MessageIndexOffsets, ulong MessageIndexLength,
    string Compression, ulong CompressedSize, ulong UncompressedSize);

/// <summary>The magic bytes that open and close every MCAP file: 0x89 "MCAP" '0' "\r\n" (major version 0).</summary>
internal static class McapMagic
{
    public static ReadOnlySpan<byte> Bytes => [0x89, (byte)'M', (byte)'C', (byte)'A', (byte)'P', (byte)'0', 0x0D, 0x0A];
}
