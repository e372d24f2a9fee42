using System.Text;
using TorchSparse.IO;

namespace TorchSparse.Tests.Checkpoints;

/// <summary>
/// The table-driven CRC-32 that checks zip records, against the catalogued check value of CRC-32/ISO-HDLC
/// ("123456789" gives 0xCBF43926) and against a bit-at-a-time division written out here, for every length and
/// alignment the eight-byte steps and the byte tail can meet.
/// </summary>
public sealed class Crc32Tests
{
    [Fact]
    public void Check_value_of_the_catalogue() => Assert.Equal(0xCBF43926u, Crc32.Of(Encoding.ASCII.GetBytes("123456789")));

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(7, 3)]
    [InlineData(8, 0)]
    [InlineData(9, 5)]
    [InlineData(63, 1)]
    [InlineData(64, 7)]
    [InlineData(100_003, 2)]
    public void Equals_bitwise_division(int length, int offset)
    {
        var random = new Random(length + offset);
        byte[] buffer = new byte[length + offset];
        random.NextBytes(buffer);
        ReadOnlySpan<byte> data = buffer.AsSpan(offset);

        Assert.Equal(Bitwise(data), Crc32.Of(data));
    }

    [Fact]
    public void Updating_in_pieces_equals_one_pass()
    {
        byte[] data = new byte[1000];
        new Random(7).NextBytes(data);
        uint register = Crc32.Update(Crc32.Update(0xFFFFFFFFu, data.AsSpan(0, 333)), data.AsSpan(333));

        Assert.Equal(Bitwise(data), register ^ 0xFFFFFFFFu);
    }

    private static uint Bitwise(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
            }
        }

        return ~crc;
    }
}
