namespace Perception.Ros2.Mcap;

/// <summary>The standard CRC-32 (IEEE 802.3 / zlib, reflected polynomial 0xEDB88320) MCAP uses for every CRC field,
/// computed incrementally: start from <see cref="Initial"/>, <see cref="Update"/>, then <see cref="Finish"/>.</summary>
internal static class Crc32
{
    public const uint Initial = 0xFFFFFFFF;

    private static readonly uint[] Table = BuildTable();

    public static uint Update(uint state, ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            state = Table[(state ^ b) & 0xFF] ^ (state >> 8);
        }

        return state;
    }

    public static uint Finish(uint state) => ~state;

    public static uint Compute(ReadOnlySpan<byte> bytes) => Finish(Update(Initial, bytes));

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < table.Length; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
