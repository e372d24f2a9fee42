using System.Buffers.Binary;
using System.Text;
using Perception.Datasets.IO;

namespace Perception.Datasets.PointClouds;

/// <summary>
/// PCL's PCD format (v0.7, v0.6 headers tolerated): DATA ascii, binary and binary_compressed, fields of any
/// I/U/F type and size, in any order, with any COUNT. Trailing bytes after the data (PCL pads binary files to a
/// page) are ignored.
/// </summary>
public static class PcdFile
{
    /// <summary>Reads every field of a PCD file.</summary>
    /// <exception cref="DatasetFormatException">The header or data is malformed; the message says where.</exception>
    public static PointCloud Read(string path)
    {
        using MappedFile mapped = MappedFile.Open(path);
        PcdHeader header = PcdHeader.Parse(mapped.Bytes, path);
        ReadOnlySpan<byte> data = mapped.Bytes[header.DataOffset..];

        // Sizes are checked before the columns are allocated, so a lying header cannot ask for gigabytes.
        CheckDataLength(data, header, path);
        var cloud = new PointCloud(header.Width, header.Height)
        {
            ViewpointOrigin = header.ViewpointOrigin,
            ViewpointOrientation = header.ViewpointOrientation,
        };
        var columns = header.Fields
            .Select(f => f.IsPadding ? null : cloud.AddField(f.Name, f.Type, f.Count))
            .ToArray();
        switch (header.Encoding)
        {
            case PcdEncoding.Ascii:
                PcdAscii.Read(data, header, columns, path);
                break;
            case PcdEncoding.Binary:
                ReadBinary(data, header, columns);
                break;
            default:
                ReadCompressed(data, header, columns, path);
                break;
        }

        return cloud;
    }

    /// <summary>Writes the cloud atomically (temporary file, then rename over <paramref name="path"/>).</summary>
    public static void Write(string path, PointCloud cloud, PcdEncoding encoding = PcdEncoding.Binary)
    {
        byte[] header = Encoding.ASCII.GetBytes(PcdHeader.Format(cloud, encoding));
        using AtomicFile file = AtomicFile.Create(path);
        file.Stream.Write(header);
        switch (encoding)
        {
            case PcdEncoding.Ascii:
                PcdAscii.Write(file.Stream, cloud);
                break;
            case PcdEncoding.Binary:
                var records = new byte[checked(PointRecords.RecordSize(cloud.Fields) * cloud.PointCount)];
                PointRecords.Scatter(cloud.Fields, cloud.PointCount, records);
                file.Stream.Write(records);
                break;
            default:
                WriteCompressed(file.Stream, cloud);
                break;
        }

        file.Commit();
    }

    private static void CheckDataLength(ReadOnlySpan<byte> data, PcdHeader header, string path)
    {
        long needed = (long)header.Points * header.RecordSize;
        switch (header.Encoding)
        {
            case PcdEncoding.Ascii:
                // Every value takes at least one character and one separator.
                long minimum = ((long)header.Points * header.ValuesPerPoint * 2) - 1;
                if (header.Points > 0 && data.Length < minimum)
                {
                    throw new DatasetFormatException(path,
                        $"ascii data from line {header.DataLine} has {data.Length} bytes, too short for " +
                        $"POINTS {header.Points} × {header.ValuesPerPoint} values");
                }

                break;
            case PcdEncoding.Binary:
                if (data.Length < needed)
                {
                    throw new DatasetFormatException(path,
                        $"binary data from byte {header.DataOffset} holds {data.Length} bytes; POINTS " +
                        $"{header.Points} × {header.RecordSize}-byte records needs {needed}");
                }

                break;
            default:
                CheckCompressedSizes(data, header, needed, path);
                break;
        }
    }

    // binary_compressed: uint32 compressed size, uint32 uncompressed size, then LZF of the fields' blocks.
    private static void CheckCompressedSizes(ReadOnlySpan<byte> data, PcdHeader header, long needed, string path)
    {
        if (data.Length < 8)
        {
            throw new DatasetFormatException(path,
                $"binary_compressed data from byte {header.DataOffset} has {data.Length} bytes; " +
                "the 8-byte size header alone needs 8");
        }

        uint compressedSize = BinaryPrimitives.ReadUInt32LittleEndian(data);
        uint uncompressedSize = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        if (uncompressedSize != needed)
        {
            throw new DatasetFormatException(path,
                $"binary_compressed uncompressed size is {uncompressedSize} bytes; POINTS {header.Points} × " +
                $"{header.RecordSize}-byte records needs {needed}");
        }

        if (compressedSize > data.Length - 8)
        {
            throw new DatasetFormatException(path,
                $"binary_compressed declares {compressedSize} compressed bytes at byte {header.DataOffset + 8}; " +
                $"the file has {data.Length - 8}");
        }

        if (uncompressedSize > (long)compressedSize * Lzf.MaxExpansion)
        {
            throw new DatasetFormatException(path,
                $"binary_compressed: {compressedSize} LZF bytes cannot expand to {uncompressedSize} " +
                $"(at most {Lzf.MaxExpansion}× each)");
        }
    }

    private static void ReadBinary(ReadOnlySpan<byte> data, PcdHeader header, PointField?[] columns) =>
        PointRecords.Gather(data, header.RecordSize, header.Points, Layout(header, columns));

    private static void ReadCompressed(ReadOnlySpan<byte> data, PcdHeader header, PointField?[] columns, string path)
    {
        uint compressedSize = BinaryPrimitives.ReadUInt32LittleEndian(data);
        var blocks = new byte[BinaryPrimitives.ReadUInt32LittleEndian(data[4..])];
        try
        {
            Lzf.Decompress(data.Slice(8, (int)compressedSize), blocks);
        }
        catch (InvalidDataException e)
        {
            throw new DatasetFormatException(path,
                $"binary_compressed data starting at byte {header.DataOffset + 8}: {e.Message}", e);
        }

        int offset = 0;
        for (int f = 0; f < header.Fields.Count; f++)
        {
            int blockSize = header.Fields[f].ItemSize * header.Points;
            if (columns[f] is { } column)
            {
                blocks.AsSpan(offset, blockSize).CopyTo(column.Bytes);
            }

            offset += blockSize;
        }
    }

    private static void WriteCompressed(Stream stream, PointCloud cloud)
    {
        var blocks = new byte[checked(PointRecords.RecordSize(cloud.Fields) * cloud.PointCount)];
        int offset = 0;
        foreach (PointField field in cloud.Fields)
        {
            field.Bytes.CopyTo(blocks.AsSpan(offset));
            offset += field.Bytes.Length;
        }

        var compressed = new byte[Lzf.MaxCompressedLength(blocks.Length)];
        int length = Lzf.Compress(blocks, compressed);
        Span<byte> sizes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(sizes, (uint)length);
        BinaryPrimitives.WriteUInt32LittleEndian(sizes[4..], (uint)blocks.Length);
        stream.Write(sizes);
        stream.Write(compressed, 0, length);
    }

    private static List<(PointField? Column, int Offset)> Layout(PcdHeader header, PointField?[] columns)
    {
        var layout = new List<(PointField?, int)>();
        int offset = 0;
        for (int f = 0; f < columns.Length; f++)
        {
            layout.Add((columns[f], offset));
            offset += header.Fields[f].ItemSize;
        }

        return layout;
    }
}
