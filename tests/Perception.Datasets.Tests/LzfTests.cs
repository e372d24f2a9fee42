using Perception.Datasets.PointClouds;

namespace Perception.Datasets.Tests;

public class LzfTests
{
    public static TheoryData<string> VectorNames() => new(ReadVectors().Keys);

    // Vectors compressed by liblzf 3.6 (Fixtures/generate_fixtures.py): our decoder must restore the input.
    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Decompresses_liblzf_output(string name)
    {
        (byte[] input, byte[] compressed) = ReadVectors()[name];
        var output = new byte[input.Length];
        Lzf.Decompress(compressed, output);
        Assert.Equal(input, output);
    }

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Compresses_within_bound_and_round_trips(string name)
    {
        (byte[] input, byte[] liblzf) = ReadVectors()[name];
        var compressed = new byte[Lzf.MaxCompressedLength(input.Length)];
        int length = Lzf.Compress(input, compressed);
        var output = new byte[input.Length];
        Lzf.Decompress(compressed.AsSpan(0, length), output);
        Assert.Equal(input, output);
        // Same greedy family as liblzf: within a few percent of its size.
        Assert.True(length <= (liblzf.Length * 1.05) + 4, $"{length} bytes vs liblzf {liblzf.Length}");
    }

    // Hand-assembled from the format description, independent of any implementation.
    [Theory]
    [InlineData("02 61 62 63", "abc")]                     // literal run of 3
    [InlineData("00 61 E0 00 00", "aaaaaaaaaa")]           // 'a', then 9 bytes from distance 1 (7 + 0 + 2)
    [InlineData("01 61 62 20 01", "ababa")]                // "ab", then 3 bytes from distance 2
    [InlineData("00 78 40 00 00 79", "xxxxxy")]            // back reference of 4, then a literal
    public void Decodes_hand_assembled_streams(string hex, string expected)
    {
        var output = new byte[expected.Length];
        Lzf.Decompress(Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal)), output);
        Assert.Equal(expected, System.Text.Encoding.ASCII.GetString(output));
    }

    [Theory]
    [InlineData("05 61", 2, "past the end of the input")]
    [InlineData("20 00", 3, "only 0 are written")]
    [InlineData("00 61 20 05", 4, "only 1 are written")]
    [InlineData("00 61 E0", 10, "before its length byte")]
    [InlineData("00 61 20", 10, "before its offset byte")]
    [InlineData("00 61 E0 FF 00", 10, "overflows the 10-byte output")]
    [InlineData("02 61 62 63", 2, "overflows the 2-byte output")]
    [InlineData("00 61", 2, "ends after 1 decompressed bytes; 2 were expected")]
    public void Corrupt_streams_throw(string hex, int outputLength, string message)
    {
        var output = new byte[outputLength];
        var error = Assert.Throws<InvalidDataException>(() =>
            Lzf.Decompress(Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal)), output));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_truncation_of_a_valid_stream_throws()
    {
        (byte[] input, byte[] compressed) = ReadVectors()["text"];
        var output = new byte[input.Length];
        for (int length = 0; length < compressed.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => Lzf.Decompress(compressed.AsSpan(0, length), output));
        }
    }

    // Random garbage either decodes within bounds or throws InvalidDataException: nothing else, and no hang.
    [Fact]
    public void Random_garbage_never_escapes_the_buffers()
    {
        var random = new Random(7);
        var output = new byte[256];
        for (int trial = 0; trial < 5000; trial++)
        {
            var input = new byte[random.Next(0, 96)];
            random.NextBytes(input);
            try
            {
                Lzf.Decompress(input, output.AsSpan(0, random.Next(0, 257)));
            }
            catch (InvalidDataException)
            {
            }
        }
    }

    private static Dictionary<string, (byte[] Input, byte[] Compressed)> ReadVectors()
    {
        var vectors = new Dictionary<string, (byte[], byte[])>();
        foreach (string line in File.ReadLines(Fixture.Path("lzf_vectors.txt")))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            string[] parts = line.Split(' ');
            vectors[parts[0]] = (Hex(parts[1]), Hex(parts[2]));
        }

        return vectors;
    }

    private static byte[] Hex(string text) => text == "-" ? [] : Convert.FromHexString(text);
}
