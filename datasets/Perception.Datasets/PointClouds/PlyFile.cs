using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Perception.Datasets.IO;

namespace Perception.Datasets.PointClouds;

/// <summary>
/// PLY point clouds: ascii, binary_little_endian and binary_big_endian. The vertex element's scalar properties
/// of any type become fields (names kept: x, y, z, intensity / scalar_intensity / remission / reflectance, ...);
/// list properties and every other element (faces, cameras, ...) are skipped.
/// </summary>
public static class PlyFile
{
    /// <summary>Reads the vertex element of a PLY file as a point cloud.</summary>
    /// <exception cref="DatasetFormatException">The header or data is malformed; the message says where.</exception>
    public static PointCloud Read(string path)
    {
        using MappedFile mapped = MappedFile.Open(path);
        ReadOnlySpan<byte> file = mapped.Bytes;
        PlyHeader header = PlyHeader.Parse(file, path);
        PlyElement vertex = header.Elements.FirstOrDefault(e => e.Name == "vertex")
            ?? throw new DatasetFormatException(path, "header declares no vertex element");

        // Vertices without properties take no bytes, so a few header bytes could claim a cloud of billions of points
        // that hold nothing.
        if (vertex.Count > 0 && vertex.Properties.Count == 0)
        {
            throw new DatasetFormatException(path,
                $"element 'vertex' declares {vertex.Count} vertices but no properties");
        }

        return header.Encoding == PlyEncoding.Ascii
            ? PlyAscii.Read(file, header, path)
            : ReadBinary(file, header, path);
    }

    /// <summary>
    /// Writes the cloud as one vertex element, atomically (temporary file, then rename over
    /// <paramref name="path"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A field has 64-bit integers or several values per point, which PLY
    /// properties cannot hold.</exception>
    public static void Write(string path, PointCloud cloud, PlyEncoding encoding = PlyEncoding.BinaryLittleEndian)
    {
        if (cloud.Fields.FirstOrDefault(f => f.Count != 1) is { } multi)
        {
            throw new ArgumentException(
                $"Field '{multi.Name}' has {multi.Count} values per point; PLY properties hold one.", nameof(cloud));
        }

        byte[] header = Encoding.ASCII.GetBytes(PlyHeader.Format(cloud, encoding));
        using AtomicFile file = AtomicFile.Create(path);
        file.Stream.Write(header);
        if (encoding == PlyEncoding.Ascii)
        {
            PlyAscii.Write(file.Stream, cloud);
        }
        else
        {
            var records = new byte[checked(PointRecords.RecordSize(cloud.Fields) * cloud.PointCount)];
            PointRecords.Scatter(cloud.Fields, cloud.PointCount, records);
            if (encoding == PlyEncoding.BinaryBigEndian)
            {
                ReverseEachValue(records, cloud.PointCount, cloud.Fields.Select(f => f.Type.SizeInBytes()).ToArray());
            }

            file.Stream.Write(records);
        }

        file.Commit();
    }

    /// <summary>A cloud with one zero-filled field per scalar property of the vertex element.</summary>
    internal static (PointCloud Cloud, PointField?[] Columns) CreateCloud(PlyElement vertex)
    {
        var cloud = new PointCloud(vertex.Count);
        PointField?[] columns = vertex.Properties
            .Select(p => p.ListCountType is null ? cloud.AddField(p.Name, p.Type) : null)
            .ToArray();
        return (cloud, columns);
    }

    private static PointCloud ReadBinary(ReadOnlySpan<byte> file, PlyHeader header, string path)
    {
        bool bigEndian = header.Encoding == PlyEncoding.BinaryBigEndian;
        int position = header.DataOffset;
        foreach (PlyElement element in header.Elements)
        {
            bool isVertex = element.Name == "vertex";
            long fixedBytes = (long)element.Count * element.FixedSize;
            if (fixedBytes > file.Length - position)
            {
                throw new DatasetFormatException(path,
                    $"element '{element.Name}' needs at least {fixedBytes} bytes from byte {position}; " +
                    $"the file has {file.Length - position}");
            }

            if (!isVertex)
            {
                position = element.HasLists ? SkipWithLists(file, position, element, bigEndian, path)
                    : position + (int)fixedBytes;
                continue;
            }

            (PointCloud cloud, PointField?[] columns) = CreateCloud(element);
            if (element.HasLists)
            {
                ReadVerticesWithLists(file, position, element, columns, bigEndian, path);
            }
            else
            {
                var layout = new List<(PointField?, int)>();
                int offset = 0;
                for (int p = 0; p < columns.Length; p++)
                {
                    layout.Add((columns[p], offset));
                    offset += element.Properties[p].Type.SizeInBytes();
                }

                PointRecords.Gather(file.Slice(position, (int)fixedBytes), element.FixedSize, element.Count, layout);
            }

            if (bigEndian)
            {
                foreach (PointField field in cloud.Fields)
                {
                    ReverseEachValue(field.Bytes, field.Length, [field.Type.SizeInBytes()]);
                }
            }

            return cloud;
        }

        throw new InvalidOperationException("unreachable: the vertex element was checked to exist");
    }

    // Instance by instance: each list's length is only known once its count is read.
    private static int SkipWithLists(ReadOnlySpan<byte> file, int position, PlyElement element, bool bigEndian, string path)
    {
        for (int i = 0; i < element.Count; i++)
        {
            foreach (PlyProperty property in element.Properties)
            {
                position = Advance(file, position, property, bigEndian, element, i, path);
            }
        }

        return position;
    }

    private static void ReadVerticesWithLists(ReadOnlySpan<byte> file, int position, PlyElement vertex, PointField?[] columns,
        bool bigEndian, string path)
    {
        for (int i = 0; i < vertex.Count; i++)
        {
            for (int p = 0; p < columns.Length; p++)
            {
                int next = Advance(file, position, vertex.Properties[p], bigEndian, vertex, i, path);
                if (columns[p] is { } column)
                {
                    int size = column.Type.SizeInBytes();
                    file.Slice(position, size).CopyTo(column.Bytes[(i * size)..]);
                }

                position = next;
            }
        }
    }

    /// <summary>Position after one property value (a scalar, or a list's count and items), bounds-checked.</summary>
    private static int Advance(ReadOnlySpan<byte> file, int position, PlyProperty property, bool bigEndian, PlyElement element,
        int instance, string path)
    {
        long end;
        if (property.ListCountType is not { } countType)
        {
            end = (long)position + property.Type.SizeInBytes();
        }
        else
        {
            int countSize = countType.SizeInBytes();
            if (countSize > file.Length - position)
            {
                throw PastEnd(element, instance, property, position, path);
            }

            long count = ReadInteger(file.Slice(position, countSize), countType, bigEndian);
            if (count < 0)
            {
                throw new DatasetFormatException(path,
                    $"element '{element.Name}' {instance}, list '{property.Name}' at byte {position}: count {count}");
            }

            end = position + countSize + (count * property.Type.SizeInBytes());
        }

        return end <= file.Length ? (int)end : throw PastEnd(element, instance, property, position, path);
    }

    private static DatasetFormatException PastEnd(PlyElement element, int instance, PlyProperty property,
        int position, string path) =>
        new(path, $"element '{element.Name}' {instance}, property '{property.Name}' at byte {position} " +
                  "runs past the end of the file");

    private static long ReadInteger(ReadOnlySpan<byte> bytes, PointFieldType type, bool bigEndian) => type switch
    {
        PointFieldType.Int8 => (sbyte)bytes[0],
        PointFieldType.UInt8 => bytes[0],
        PointFieldType.Int16 => bigEndian ? BinaryPrimitives.ReadInt16BigEndian(bytes)
            : BinaryPrimitives.ReadInt16LittleEndian(bytes),
        PointFieldType.UInt16 => bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes)
            : BinaryPrimitives.ReadUInt16LittleEndian(bytes),
        PointFieldType.Int32 => bigEndian ? BinaryPrimitives.ReadInt32BigEndian(bytes)
            : BinaryPrimitives.ReadInt32LittleEndian(bytes),
        _ => bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes),
    };

    /// <summary>Byte-swaps every value of records made of values of the given sizes, repeated.</summary>
    private static void ReverseEachValue(Span<byte> bytes, int records, int[] sizes)
    {
        if (sizes.Length == 1)
        {
            // One column: swap the whole span at once (vectorised by the BCL).
            switch (sizes[0])
            {
                case 2:
                    Span<ushort> shorts = MemoryMarshal.Cast<byte, ushort>(bytes);
                    BinaryPrimitives.ReverseEndianness(shorts, shorts);
                    return;
                case 4:
                    Span<uint> words = MemoryMarshal.Cast<byte, uint>(bytes);
                    BinaryPrimitives.ReverseEndianness(words, words);
                    return;
                case 8:
                    Span<ulong> longs = MemoryMarshal.Cast<byte, ulong>(bytes);
                    BinaryPrimitives.ReverseEndianness(longs, longs);
                    return;
                default:
                    return;
            }
        }

        int offset = 0;
        for (int r = 0; r < records; r++)
        {
            foreach (int size in sizes)
            {
                bytes.Slice(offset, size).Reverse();
                offset += size;
            }
        }
    }
}
