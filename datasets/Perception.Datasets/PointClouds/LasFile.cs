using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using Perception.Datasets.IO;

namespace Perception.Datasets.PointClouds;

/// <summary>
/// ASPRS LAS 1.2, 1.3 and 1.4 point clouds, point data record formats 0-3 and 6-8, uncompressed (LAZ is refused).
/// Every attribute becomes a field named as laspy names it: x, y, z (float64 world coordinates, raw × scale +
/// offset), intensity, return_number, number_of_returns, scan_direction_flag, edge_of_flight_line, classification,
/// synthetic, key_point, withheld, overlap and scanner_channel (6-8), scan_angle_rank (int8 degrees, 0-3) or
/// scan_angle (int16, 0.006° steps, 6-8), user_data, point_source_id, gps_time (1, 3, 6-8), red, green, blue
/// (2, 3, 7, 8), nir (8); then the attributes an Extra Bytes VLR describes, under their own names.
/// Georeferenced coordinates (UTM metres in the millions) lose up to half a metre in <see cref="PointCloud.ToXyzi"/>'s
/// float32: subtract an origin from the float64 fields first where that matters.
/// </summary>
public static class LasFile
{
    private const int VlrHeaderSize = 54;

    /// <summary>Points decoded together: 4096 records of at most 38 + extra bytes fit in a core's L2 cache.</summary>
    private const int ChunkPoints = 4096;

    private enum ColumnKind
    {
        Coordinate,
        Bits,
        Copy,
        Scaled,
    }

    /// <summary>Reads every point attribute of a LAS file.</summary>
    /// <exception cref="DatasetFormatException">The file is not LAS 1.2-1.4, is compressed, uses an unsupported
    /// point format or is malformed; the message names the field and byte.</exception>
    public static PointCloud Read(string path)
    {
        LasHeader header;
        List<LasExtraBytes> extras;
        using (SafeFileHandle file = File.OpenHandle(path))
        {
            (header, extras) = Open(file, path);
        }

        long blockSize = header.PointCount * header.RecordLength;
        if (blockSize > Array.MaxLength)
        {
            throw new DatasetFormatException(path,
                $"point data of {header.PointCount} × {header.RecordLength} bytes is too large to read at once");
        }

        // The point block is decoded straight from the mapped file with strided loops: no copy of its size.
        using MappedFile mapped = MappedFile.Open(path);
        if (header.PointDataOffset + blockSize > mapped.Length)
        {
            throw new DatasetFormatException(path, $"the file ends at byte {mapped.Length}, inside a declared block");
        }

        return Decode(mapped.Bytes.Slice((int)header.PointDataOffset, (int)blockSize), header, extras);
    }

    /// <summary>The header block alone (the points are not read).</summary>
    /// <exception cref="DatasetFormatException">As <see cref="Read"/>.</exception>
    public static LasHeader ReadHeader(string path)
    {
        using SafeFileHandle file = File.OpenHandle(path);
        return Open(file, path).Header;
    }

    /// <summary>
    /// Writes the cloud's x, y, z and the fields named like the format's attributes (see <see cref="LasFile"/>),
    /// atomically (temporary file, then rename over <paramref name="path"/>). Attributes the cloud lacks are
    /// written as 0; fields the format has no place for are not written.
    /// </summary>
    /// <exception cref="ArgumentException">The format or version is not supported, x, y or z is missing, or a
    /// value does not fit its attribute (a coordinate outside the int32 range at this scale and offset, a
    /// classification above 31 in formats 0-3, a fraction in an integer attribute, ...).</exception>
    public static void Write(string path, PointCloud cloud, LasWriteOptions? options = null)
    {
        options ??= new LasWriteOptions();
        byte[] records = LasWriter.Records(cloud, options, out byte[] header);
        using AtomicFile file = AtomicFile.Create(path);
        file.Stream.Write(header);
        file.Stream.Write(records);
        file.Commit();
    }

    /// <summary>Reads and checks the header and walks the VLRs (LAZ marker, extra bytes descriptors).</summary>
    private static (LasHeader Header, List<LasExtraBytes> Extras) Open(SafeFileHandle file, string path)
    {
        long length = RandomAccess.GetLength(file);
        var start = new byte[(int)Math.Min(length, LasHeader.SizeByMinorVersion[^1])];
        ReadExactly(file, start, 0, path);
        LasHeader header = LasHeader.Parse(start, length, path);
        var extras = new List<LasExtraBytes>();
        Span<byte> vlr = stackalloc byte[VlrHeaderSize];
        long position = header.HeaderSize;
        for (long v = 0; v < header.VlrCount; v++)
        {
            if (position + VlrHeaderSize > header.PointDataOffset)
            {
                throw new DatasetFormatException(path,
                    $"VLR {v} of {header.VlrCount} at byte {position} runs past the point data (byte " +
                    $"{header.PointDataOffset})");
            }

            ReadExactly(file, vlr, position, path);
            string userId = LasHeader.ReadText(vlr.Slice(2, 16));
            int recordId = BinaryPrimitives.ReadUInt16LittleEndian(vlr[18..]);
            int payloadLength = BinaryPrimitives.ReadUInt16LittleEndian(vlr[20..]);
            long payloadStart = position + VlrHeaderSize;
            if (payloadStart + payloadLength > header.PointDataOffset)
            {
                throw new DatasetFormatException(path,
                    $"VLR {v} ('{userId}' {recordId}) at byte {position} declares {payloadLength} bytes, running " +
                    $"past the point data (byte {header.PointDataOffset})");
            }

            if (userId == "laszip encoded")
            {
                throw new DatasetFormatException(path,
                    $"VLR {v} at byte {position} is LASzip's: the points are LAZ-compressed, which this reader " +
                    "does not decode; decompress the file to plain LAS first (laszip, pdal translate)");
            }

            if (userId == LasExtraBytes.UserId && recordId == LasExtraBytes.RecordId)
            {
                var payload = new byte[payloadLength];
                ReadExactly(file, payload, payloadStart, path);
                extras = LasExtraBytes.Parse(payload, LasPointFormats.BaseSize(header.PointFormat),
                    header.RecordLength, payloadStart, path);
            }

            position = payloadStart + payloadLength;
        }

        return (header, extras);
    }

    private static PointCloud Decode(ReadOnlySpan<byte> block, LasHeader header, List<LasExtraBytes> extras)
    {
        int count = (int)header.PointCount;
        int length = header.RecordLength;
        var cloud = new PointCloud(count);
        var columns = new List<Column>
        {
            new(ColumnKind.Coordinate, cloud.AddField("x", PointFieldType.Float64), 0, header.Scale.X, header.Offset.X),
            new(ColumnKind.Coordinate, cloud.AddField("y", PointFieldType.Float64), 4, header.Scale.Y, header.Offset.Y),
            new(ColumnKind.Coordinate, cloud.AddField("z", PointFieldType.Float64), 8, header.Scale.Z, header.Offset.Z),
        };
        foreach (LasDimension dimension in LasPointFormats.For(header.PointFormat))
        {
            PointField field = cloud.AddField(dimension.Name, dimension.Type);
            columns.Add(dimension.IsBitField
                ? new Column(ColumnKind.Bits, field, dimension.Offset, BitShift: dimension.BitShift,
                    BitCount: dimension.BitCount)
                : new Column(ColumnKind.Copy, field, dimension.Offset));
        }

        foreach (LasExtraBytes extra in extras)
        {
            string name = string.Concat(extra.Name.Select(c => char.IsWhiteSpace(c) ? '_' : c));
            name = name.Length > 0 ? name : $"extra_byte_{extra.Offset}";

            // A described attribute whose name is already taken (a standard attribute, a repeated descriptor)
            // is left out: the description is optional metadata and must not make a valid file unreadable.
            if (cloud.FindField(name) is not null)
            {
                continue;
            }

            columns.Add(extra.IsScaled
                ? new Column(ColumnKind.Scaled, cloud.AddField(name, PointFieldType.Float64, extra.Count),
                    extra.Offset, Extra: extra)
                : new Column(ColumnKind.Copy, cloud.AddField(name, extra.Type, extra.Count), extra.Offset));
        }

        // Chunks of records small enough to stay in cache while every field is pulled out of them: one pass per
        // field over the whole block would stream it from memory once per field.
        for (int first = 0; first < count; first += ChunkPoints)
        {
            int points = Math.Min(ChunkPoints, count - first);
            ReadOnlySpan<byte> records = block.Slice(first * length, points * length);
            foreach (Column column in columns)
            {
                column.Decode(records, length, first, points);
            }
        }

        return cloud;
    }

    private static void ReadExactly(SafeFileHandle file, Span<byte> buffer, long offset, string path)
    {
        while (!buffer.IsEmpty)
        {
            int read = RandomAccess.Read(file, buffer, offset);
            if (read == 0)
            {
                throw new DatasetFormatException(path, $"the file ends at byte {offset}, inside a declared block");
            }

            buffer = buffer[read..];
            offset += read;
        }
    }

    /// <summary>How one field is decoded from the records.</summary>
    private readonly record struct Column(ColumnKind Kind, PointField Field, int Offset, double Scale = 1,
        double Shift = 0, int BitShift = 0, int BitCount = 0, LasExtraBytes? Extra = null)
    {
        /// <summary>Decodes points first .. first + count - 1, whose records are <paramref name="records"/>.</summary>
        public void Decode(ReadOnlySpan<byte> records, int length, int first, int count)
        {
            switch (Kind)
            {
                case ColumnKind.Coordinate:
                    Span<double> world = Field.AsSpan<double>().Slice(first, count);
                    for (int p = 0; p < count; p++)
                    {
                        world[p] = (BinaryPrimitives.ReadInt32LittleEndian(records[((p * length) + Offset)..]) * Scale)
                            + Shift;
                    }

                    break;
                case ColumnKind.Bits:
                    Span<byte> bits = Field.AsSpan<byte>().Slice(first, count);
                    int mask = (1 << BitCount) - 1;
                    for (int p = 0; p < count; p++)
                    {
                        bits[p] = (byte)((records[(p * length) + Offset] >> BitShift) & mask);
                    }

                    break;
                case ColumnKind.Copy:
                    int itemSize = Field.Type.SizeInBytes() * Field.Count;
                    PointRecords.Gather(records, length, Offset, Field.Bytes.Slice(first * itemSize, count * itemSize),
                        itemSize);
                    break;
                default:
                    DecodeScaled(records, length, first, count);
                    break;
            }
        }

        // Extra bytes with a scale or offset: raw × scale + offset per value, like the coordinates.
        private void DecodeScaled(ReadOnlySpan<byte> records, int length, int first, int count)
        {
            LasExtraBytes extra = Extra!;
            Span<double> values = Field.AsSpan<double>().Slice(first * extra.Count, count * extra.Count);
            int size = extra.Type.SizeInBytes();
            for (int p = 0; p < count; p++)
            {
                for (int c = 0; c < extra.Count; c++)
                {
                    double raw = extra.Type.ReadLittleEndian(records.Slice((p * length) + Offset + (c * size), size));
                    values[(p * extra.Count) + c] = (raw * (extra.Scale?[c] ?? 1)) + (extra.ValueOffset?[c] ?? 0);
                }
            }
        }
    }
}
