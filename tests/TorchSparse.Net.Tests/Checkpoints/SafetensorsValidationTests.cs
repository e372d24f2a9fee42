using System.Buffers.Binary;
using System.Text;
using TorchSparse.Checkpoints;

namespace TorchSparse.Tests.Checkpoints;

/// <summary>Damaged and hand-made safetensors files: one fault per row, each refused with a
/// <see cref="CheckpointException"/> that names the file and, where there is one, the tensor.</summary>
public sealed class SafetensorsValidationTests : IDisposable
{
    private const string F32x4 = """{"dtype":"F32","shape":[4],"data_offsets":[0,16]}""";
    private readonly string tempDir = Directory.CreateTempSubdirectory("safetensors-bad-").FullName;

    public void Dispose() => Directory.Delete(tempDir, recursive: true);

    /// <summary>(case, header JSON, data buffer length, fragment the message must contain).</summary>
    public static TheoryData<string, string, int, string> Faults() => new()
    {
        { "truncated data", $$$"""{"w":{{{F32x4}}}}""", 10, "tensor 'w': data_offsets [0, 16] reach past the 10-byte" },
        { "offsets out of range", """{"w":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}}""", 16,
            "tensor 'w': data_offsets [16, 20] reach past" },
        { "overlapping offsets",
            $$$"""{"a":{{{F32x4}}},"b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}""", 24,
            "tensor 'b': data_offsets [8, 24] overlap tensor 'a'" },
        { "gap between tensors",
            $$$"""{"a":{{{F32x4}}},"b":{"dtype":"F32","shape":[1],"data_offsets":[20,24]}}""", 24,
            "tensor 'b': data_offsets begin at 20, leaving bytes [16, 20) after tensor 'a' unused" },
        { "unused buffer tail", $$$"""{"w":{{{F32x4}}}}""", 20, "tensors end at byte 16 of the 20-byte data buffer" },
        { "unknown dtype", """{"w":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}""", 4,
            "tensor 'w': dtype 'U8' is not supported" },
        { "bad JSON", """{"w":{"dtype":"F32","shape":[4],""", 16, "header is not valid JSON" },
        { "byte count is not numel x itemsize", """{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8,
            "tensor 'w': data_offsets [0, 8] span 8 bytes, but F32 shape [3] needs 12" },
        { "duplicate name", $$$"""{"w":{{{F32x4}}},"w":{{{F32x4}}}}""", 16, "'w' occurs twice in the header" },
        { "duplicate once module. is removed",
            $$$"""{"module.w":{{{F32x4}}},"w":{"dtype":"F32","shape":[4],"data_offsets":[16,32]}}""", 32,
            "key 'w' occurs twice once the 'module.' prefix is removed" },
        { "negative dimension", """{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}""", 0,
            "tensor 'w': shape dimension 0 (-1) is not an integer" },
        { "fractional dimension", """{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}""", 4,
            "tensor 'w': shape dimension 0 (1.5)" },
        { "shape overflows",
            """{"w":{"dtype":"F64","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,8]}}""", 8,
            "tensor 'w': shape [2147483647, 2147483647, 2147483647] is too large" },
        { "empty shape whose running product overflows",
            """{"w":{"dtype":"F32","shape":[2147483647,2147483647,2147483647,2147483647,0],"data_offsets":[0,0]}}""",
            0, "tensor 'w': shape [2147483647, 2147483647, 2147483647, 2147483647, 0] is too large" },
        { "begin after end", """{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}""", 8,
            "tensor 'w': data_offsets [8, 0] is not a [begin, end] pair" },
        { "negative offset", """{"w":{"dtype":"F32","shape":[0],"data_offsets":[-4,0]}}""", 0,
            "tensor 'w': data_offsets entry -4 is not a non-negative integer" },
        { "string dimension", """{"w":{"dtype":"F32","shape":["4"],"data_offsets":[0,16]}}""", 16,
            "tensor 'w': shape dimension 0 (\"4\") is not an integer" },
        { "object offset", """{"w":{"dtype":"F32","shape":[4],"data_offsets":[{},16]}}""", 16,
            "tensor 'w': data_offsets entry {} is not a non-negative integer" },
        { "missing shape", """{"w":{"dtype":"F32","data_offsets":[0,16]}}""", 16,
            "tensor 'w': field 'shape' is missing" },
        { "entry not an object", """{"w":3}""", 0, "tensor 'w': entry is a JSON Number, not an object" },
        { "metadata value not a string", """{"__metadata__":{"epoch":3}}""", 0,
            "'__metadata__' entry 'epoch' is not a string" },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public void Fault_is_refused_naming_the_file_and_the_fault(string name, string header, int bufferLength,
        string fragment)
    {
        string path = Write(name, Encoding.UTF8.GetBytes(header), bufferLength);
        var error = Assert.Throws<CheckpointException>(() => TorchCheckpoint.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1000UL, "header length 1000 exceeds the 24 bytes after it")]
    [InlineData(ulong.MaxValue, "header length 18446744073709551615 exceeds")]
    public void Header_length_beyond_the_file_is_refused(ulong claimed, string fragment)
    {
        string path = Write("long header", Encoding.UTF8.GetBytes($$$"""{"w":{{{F32x4}}}}""")[..8], 16, claimed);
        // Read through Safetensors directly: no sniffing, so even an absurd length reaches the safetensors checks.
        var error = Assert.Throws<CheckpointException>(() => Safetensors.ReadMetadata(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void File_shorter_than_the_length_field_is_refused()
    {
        string path = Path.Combine(tempDir, "tiny.safetensors");
        File.WriteAllBytes(path, [1, 0, 0]);
        var error = Assert.Throws<CheckpointException>(() => Safetensors.ReadMetadata(path));
        Assert.Contains("too short for the 8-byte header length", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Header_that_is_not_a_json_object_is_refused()
    {
        // Not sniffed as safetensors (the 9th byte is not '{'), so read it as one explicitly.
        string path = Write("array header", Encoding.UTF8.GetBytes("""["w"]"""), 0);
        var error = Assert.Throws<CheckpointException>(() => Safetensors.ReadMetadata(path));
        Assert.Contains("header does not start with '{'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_in_the_header_is_refused()
    {
        byte[] header = Encoding.UTF8.GetBytes("""{"__metadata__":{"a":"xx"}}""");
        header[Array.IndexOf(header, (byte)'x')] = 0xff;
        string path = Write("utf8", header, 0);
        var error = Assert.Throws<CheckpointException>(() => TorchCheckpoint.Load(path));
        Assert.Contains("header is not valid UTF-8", error.Message, StringComparison.Ordinal);
    }

    private string Write(string name, byte[] header, int bufferLength, ulong? claimedLength = null)
    {
        string path = Path.Combine(tempDir, name.Replace(' ', '_') + ".safetensors");
        byte[] bytes = new byte[8 + header.Length + bufferLength];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, claimedLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
