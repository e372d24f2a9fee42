using System.Buffers.Binary;
using System.Text;
using TorchSparse.IO;

namespace TorchSparse.Checkpoints;

/// <summary>
/// Writes a zip archive the way torch.save lays one out: every record stored (uncompressed), its data starting at a
/// multiple of 64 bytes so a reader can map tensors straight from the file (the local header's extra field is the
/// padding), sizes and CRC-32 in the local header, then the central directory. Only the classic (non-zip64) format
/// is written, so the archive stays below 4 GiB and 65535 records.
/// </summary>
internal sealed class StoredZipWriter(Stream stream)
{
    private const int Alignment = 64;
    private const int LocalHeaderBytes = 30;
    private const int CentralHeaderBytes = 46;
    private const int EndRecordBytes = 22;
    private const ushort Version = 20;       // 2.0: stored records, no zip64
    private const ushort PaddingId = 0x4246; // "FB", the extra-field id torch gives its padding
    private const ushort Date = 0x21;        // 1980-01-01, the earliest DOS date: files do not depend on the clock

    private readonly List<(byte[] Name, uint Crc, uint Size, uint Offset)> records = [];
    private long position;

    /// <summary>Appends the record <paramref name="name"/> (ASCII) holding <paramref name="data"/>.</summary>
    public void Add(string name, ReadOnlySpan<byte> data)
    {
        if (records.Count == ushort.MaxValue - 1)
        {
            // The end record's count field would read 0xFFFF, which means "see zip64".
            throw new NotSupportedException($"more than {records.Count} records need zip64, which is not written");
        }

        byte[] nameBytes = Encoding.ASCII.GetBytes(name);
        int padding = (int)(-(position + LocalHeaderBytes + nameBytes.Length) & (Alignment - 1));
        if (padding is > 0 and < 4)
        {
            // An extra field needs 4 bytes for its id and length.
            padding += Alignment;
        }

        uint offset = Small(position);
        uint size = Small(data.Length);
        uint crc = Crc32.Of(data);
        Span<byte> header = stackalloc byte[LocalHeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], Version);
        Common(header[6..], crc, size, nameBytes.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[28..], (ushort)padding);
        Write(header);
        Write(nameBytes);
        if (padding > 0)
        {
            byte[] extra = new byte[padding];
            extra.AsSpan(4).Fill((byte)'Z');
            BinaryPrimitives.WriteUInt16LittleEndian(extra, PaddingId);
            BinaryPrimitives.WriteUInt16LittleEndian(extra.AsSpan(2), (ushort)(padding - 4));
            Write(extra);
        }

        Write(data);
        records.Add((nameBytes, crc, size, offset));
    }

    /// <summary>Writes the central directory and the end record; the archive is complete after this.</summary>
    public void Finish()
    {
        long start = position;
        Span<byte> header = stackalloc byte[CentralHeaderBytes];
        foreach ((byte[] name, uint crc, uint size, uint offset) in records)
        {
            header.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(header, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(header[4..], Version); // made by: 2.0 on MS-DOS (no attributes)
            BinaryPrimitives.WriteUInt16LittleEndian(header[6..], Version);
            Common(header[8..], crc, size, name.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(header[42..], offset);
            Write(header);
            Write(name);
        }

        Span<byte> end = stackalloc byte[EndRecordBytes];
        end.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], (ushort)records.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], (ushort)records.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], Small(position - start));
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], Small(start));
        Write(end);
    }

    /// <summary>The fields local and central headers share, from "flags" to "name length": no flags, stored, the
    /// fixed date, CRC, both sizes (equal when stored) and the name's length.</summary>
    private static void Common(Span<byte> at, uint crc, uint size, int nameLength)
    {
        at[..6].Clear(); // flags, method 0 (stored), time 00:00
        BinaryPrimitives.WriteUInt16LittleEndian(at[6..], Date);
        BinaryPrimitives.WriteUInt32LittleEndian(at[8..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(at[12..], size);
        BinaryPrimitives.WriteUInt32LittleEndian(at[16..], size);
        BinaryPrimitives.WriteUInt16LittleEndian(at[20..], (ushort)nameLength);
    }

    /// <summary>An offset or size as the 32-bit field it goes in; 0xFFFFFFFF would mean "see zip64".</summary>
    private static uint Small(long value) => value < uint.MaxValue
        ? (uint)value
        : throw new NotSupportedException("the archive would reach 4 GiB, which needs zip64; it is not written");

    private void Write(ReadOnlySpan<byte> bytes)
    {
        stream.Write(bytes);
        position += bytes.Length;
    }
}
