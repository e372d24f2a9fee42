using System.Buffers.Binary;

namespace TorchSparse.IO;

/// <summary>The CRC-32 (ISO-HDLC, reflected 0xEDB88320) that zip records and PNG chunks carry.</summary>
internal static class Crc32
{
    // Tables[k][b]: the register change of byte b followed by k zero bytes. Eight tables fold eight bytes per step
    // (slicing-by-8), several times faster than one table lookup per byte; checkpoint loads check every byte.
    private static readonly uint[][] Tables = BuildTables();

    /// <summary>The finished checksum of <paramref name="data"/>.</summary>
    public static uint Of(ReadOnlySpan<byte> data) => Update(0xFFFFFFFFu, data) ^ 0xFFFFFFFFu;

    /// <summary>Folds <paramref name="data"/> into a running register that starts at 0xFFFFFFFF; the checksum is
    /// the final register XOR 0xFFFFFFFF.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        uint[] t0 = Tables[0], t1 = Tables[1], t2 = Tables[2], t3 = Tables[3];
        uint[] t4 = Tables[4], t5 = Tables[5], t6 = Tables[6], t7 = Tables[7];
        while (data.Length >= 8)
        {
            uint low = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
            uint high = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            crc = t7[low & 0xFF] ^ t6[(low >> 8) & 0xFF] ^ t5[(low >> 16) & 0xFF] ^ t4[low >> 24]
                ^ t3[high & 0xFF] ^ t2[(high >> 8) & 0xFF] ^ t1[(high >> 16) & 0xFF] ^ t0[high >> 24];
            data = data[8..];
        }

        foreach (byte b in data)
        {
            crc = t0[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[][] BuildTables()
    {
        var tables = new uint[8][];
        tables[0] = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            tables[0][n] = c;
        }

        for (int k = 1; k < 8; k++)
        {
            tables[k] = new uint[256];
            for (int n = 0; n < 256; n++)
            {
                uint previous = tables[k - 1][n];
                tables[k][n] = (previous >> 8) ^ tables[0][previous & 0xFF];
            }
        }

        return tables;
    }
}
