using System.Buffers.Binary;
using System.Text;

namespace Perception.Datasets.PointClouds;

/// <summary>
/// The public header block of a LAS 1.2, 1.3 or 1.4 file: what the points are (format, record length, count) and
/// how their integer coordinates map to the world (world = raw × <see cref="Scale"/> + <see cref="Offset"/>).
/// </summary>
public sealed class LasHeader
{
    /// <summary>Header sizes of LAS 1.2, 1.3 and 1.4 (1.3 adds the waveform offset, 1.4 the 64-bit counts).</summary>
    internal static readonly int[] SizeByMinorVersion = [0, 0, 227, 235, 375];

    internal LasHeader()
    {
    }

    /// <summary>LAS version: 1.2, 1.3 or 1.4.</summary>
    public Version Version { get; private init; } = new(1, 2);

    /// <summary>Point data record format: 0-3 or 6-8.</summary>
    public int PointFormat { get; private init; }

    /// <summary>Bytes per point record; more than the format's size when the records carry extra bytes.</summary>
    public int RecordLength { get; private init; }

    /// <summary>Number of point records (LAS 1.4: the 64-bit count, else the legacy 32-bit one).</summary>
    public long PointCount { get; private init; }

    /// <summary>Byte where the point records start.</summary>
    public long PointDataOffset { get; private init; }

    /// <summary>Scale factors of the int32 coordinates: world = raw × scale + offset.</summary>
    public (double X, double Y, double Z) Scale { get; private init; }

    /// <summary>Offsets added to the scaled coordinates.</summary>
    public (double X, double Y, double Z) Offset { get; private init; }

    /// <summary>Bounding box as the header declares it (not recomputed from the points).</summary>
    public (double X, double Y, double Z) Min { get; private init; }

    /// <summary>Bounding box as the header declares it (not recomputed from the points).</summary>
    public (double X, double Y, double Z) Max { get; private init; }

    /// <summary>Header field "system identifier": the scanner or process that made the points.</summary>
    public string SystemIdentifier { get; private init; } = "";

    /// <summary>Header field "generating software".</summary>
    public string GeneratingSoftware { get; private init; } = "";

    /// <summary>Size of the header block (byte 94); VLRs follow it.</summary>
    internal int HeaderSize { get; private init; }

    internal uint VlrCount { get; private init; }

    /// <summary>
    /// Parses and checks the header block. <paramref name="bytes"/> is the start of the file (up to 375 bytes);
    /// <paramref name="fileLength"/> bounds the offsets it declares.
    /// </summary>
    internal static LasHeader Parse(ReadOnlySpan<byte> bytes, long fileLength, string path)
    {
        if (bytes.Length < 4 || !bytes[..4].SequenceEqual("LASF"u8))
        {
            string found = Encoding.ASCII.GetString(bytes[..Math.Min(4, bytes.Length)]);
            throw new DatasetFormatException(path,
                $"file signature (byte 0) is '{Printable(found)}', not 'LASF': not a LAS file");
        }

        if (bytes.Length < SizeByMinorVersion[2])
        {
            throw new DatasetFormatException(path,
                $"header truncated: the file has {fileLength} bytes, a LAS header needs at least 227");
        }

        int major = bytes[24];
        int minor = bytes[25];
        if (major != 1 || minor is < 2 or > 4)
        {
            throw new DatasetFormatException(path,
                $"version {major}.{minor} (bytes 24-25) is not supported; expected 1.2, 1.3 or 1.4");
        }

        int minimumSize = SizeByMinorVersion[minor];
        if (bytes.Length < minimumSize)
        {
            throw new DatasetFormatException(path,
                $"header truncated: the file has {fileLength} bytes, a LAS 1.{minor} header needs {minimumSize}");
        }

        int headerSize = BinaryPrimitives.ReadUInt16LittleEndian(bytes[94..]);
        if (headerSize < minimumSize)
        {
            throw new DatasetFormatException(path,
                $"header size (byte 94) is {headerSize}; a LAS 1.{minor} header has at least {minimumSize} bytes");
        }

        uint pointDataOffset = BinaryPrimitives.ReadUInt32LittleEndian(bytes[96..]);
        if (pointDataOffset < headerSize || pointDataOffset > fileLength)
        {
            throw new DatasetFormatException(path,
                $"offset to point data (byte 96) is {pointDataOffset}; it must lie between the header size " +
                $"{headerSize} and the file length {fileLength}");
        }

        int formatByte = bytes[104];
        CheckFormat(formatByte, minor, path);
        int recordLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[105..]);
        if (recordLength < LasPointFormats.BaseSize(formatByte))
        {
            throw new DatasetFormatException(path,
                $"point data record length (byte 105) is {recordLength}, smaller than the " +
                $"{LasPointFormats.BaseSize(formatByte)} bytes of point format {formatByte}");
        }

        long pointCount = PointCountOf(bytes, minor, path);
        var header = new LasHeader
        {
            Version = new Version(major, minor),
            PointFormat = formatByte,
            RecordLength = recordLength,
            PointCount = pointCount,
            PointDataOffset = pointDataOffset,
            Scale = ReadXyz(bytes, 131, 8),
            Offset = ReadXyz(bytes, 155, 8),
            Max = ReadXyz(bytes, 179, 16),
            Min = ReadXyz(bytes, 187, 16),
            SystemIdentifier = ReadText(bytes.Slice(26, 32)),
            GeneratingSoftware = ReadText(bytes.Slice(58, 32)),
            HeaderSize = headerSize,
            VlrCount = BinaryPrimitives.ReadUInt32LittleEndian(bytes[100..]),
        };
        CheckScale(header, path);
        long needed = pointCount * recordLength;
        if (needed > fileLength - pointDataOffset)
        {
            throw new DatasetFormatException(path,
                $"point data from byte {pointDataOffset} holds {fileLength - pointDataOffset} bytes; " +
                $"{pointCount} points × {recordLength}-byte records need {needed}");
        }

        return header;
    }

    /// <summary>NUL-padded ASCII text of a fixed-size header or VLR field.</summary>
    internal static string ReadText(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? field : field[..end]).Trim();
    }

    private static void CheckFormat(int formatByte, int minor, string path)
    {
        // LASzip marks compressed files by setting bit 7 (and 6 in old versions) of the format byte.
        if ((formatByte & 0xC0) != 0)
        {
            throw new DatasetFormatException(path,
                $"point data format byte (byte 104) is 0x{formatByte:X2}: the points are LAZ-compressed, which " +
                "this reader does not decode; decompress the file to plain LAS first (laszip, pdal translate)");
        }

        if (!LasPointFormats.IsSupported(formatByte))
        {
            string kind = formatByte is 4 or 5 or 9 or 10 ? " (it carries waveform packets)" : "";
            throw new DatasetFormatException(path,
                $"point data format {formatByte} (byte 104) is not supported{kind}; formats 0-3 and 6-8 are");
        }

        if (LasPointFormats.NeedsVersion14(formatByte) && minor < 4)
        {
            throw new DatasetFormatException(path,
                $"point data format {formatByte} (byte 104) needs LAS 1.4; the header says 1.{minor}");
        }
    }

    // LAS 1.4 moved the count to 64 bits at byte 247 and keeps the 32-bit one at byte 107 for old readers: zero for
    // formats 6-10 or counts above 2^32 - 1, otherwise equal. Either being zero is tolerated (writers differ).
    private static long PointCountOf(ReadOnlySpan<byte> bytes, int minor, string path)
    {
        uint legacy = BinaryPrimitives.ReadUInt32LittleEndian(bytes[107..]);
        ulong extended = minor < 4 ? 0 : BinaryPrimitives.ReadUInt64LittleEndian(bytes[247..]);
        if (legacy != 0 && extended != 0 && legacy != extended)
        {
            throw new DatasetFormatException(path,
                $"legacy point count (byte 107) is {legacy} but the LAS 1.4 point count (byte 247) is {extended}");
        }

        (ulong count, int at) = extended != 0 ? (extended, 247) : (legacy, 107);
        return count <= int.MaxValue ? (long)count : throw new DatasetFormatException(path,
            $"point count (byte {at}) is {count}; at most {int.MaxValue} points fit in one cloud");
    }

    private static void CheckScale(LasHeader header, string path)
    {
        (double x, double y, double z) = header.Scale;
        double[] scales = [x, y, z];
        for (int axis = 0; axis < 3; axis++)
        {
            if (scales[axis] == 0 || !double.IsFinite(scales[axis]))
            {
                throw new DatasetFormatException(path,
                    $"{"xyz"[axis]} scale factor (byte {131 + (8 * axis)}) is {scales[axis]}");
            }
        }
    }

    private static (double X, double Y, double Z) ReadXyz(ReadOnlySpan<byte> bytes, int start, int stride) =>
        (BinaryPrimitives.ReadDoubleLittleEndian(bytes[start..]),
         BinaryPrimitives.ReadDoubleLittleEndian(bytes[(start + stride)..]),
         BinaryPrimitives.ReadDoubleLittleEndian(bytes[(start + (2 * stride))..]));

    private static string Printable(string text) =>
        new(text.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
}
