using Perception.Ros2.Compression;

namespace Perception.Ros2.Mcap;

/// <summary>How an <see cref="McapWriter"/> lays out its file. The defaults are rosbag2's (mcap-cpp's): the
/// <c>ros2</c> profile, zstd chunks of about 1 MiB with CRCs, a summary with a CRC.</summary>
public sealed record McapWriterOptions
{
    /// <summary>The library string written in the Header record.</summary>
    public static readonly string SdkLibrary = $"perception-sdk-ros2/{typeof(McapWriter).Assembly.GetName().Version}";

    public string Profile { get; init; } = "ros2";

    public string Library { get; init; } = SdkLibrary;

    public McapCompression Compression { get; init; } = McapCompression.Zstd;

    /// <summary>A chunk is closed once its uncompressed records reach this many bytes.</summary>
    public int ChunkSize { get; init; } = 1 << 20;
}
