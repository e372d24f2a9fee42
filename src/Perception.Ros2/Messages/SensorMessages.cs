using Perception.Ros2.Cdr;

namespace Perception.Ros2.Messages;

/// <summary>sensor_msgs/PointField datatype constants.</summary>
public enum PointFieldDatatype : byte
{
    Int8 = 1,
    UInt8 = 2,
    Int16 = 3,
    UInt16 = 4,
    Int32 = 5,
    UInt32 = 6,
    Float32 = 7,
    Float64 = 8,
}

/// <summary>sensor_msgs/PointField: one named field of each point, <see cref="Count"/> values of
/// <see cref="Datatype"/> starting <see cref="Offset"/> bytes into the point.</summary>
public sealed record PointField(string Name, uint Offset, PointFieldDatatype Datatype, uint Count = 1)
    : IRosMessage<PointField>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("sensor_msgs/PointField");

    public static int MinWireSize => 13;

    /// <summary>Bytes of one value of <paramref name="datatype"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not one of the eight datatypes.</exception>
    public static int SizeOf(PointFieldDatatype datatype) => datatype switch
    {
        PointFieldDatatype.Int8 or PointFieldDatatype.UInt8 => 1,
        PointFieldDatatype.Int16 or PointFieldDatatype.UInt16 => 2,
        PointFieldDatatype.Int32 or PointFieldDatatype.UInt32 or PointFieldDatatype.Float32 => 4,
        PointFieldDatatype.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(datatype), datatype, "Not a sensor_msgs/PointField datatype."),
    };

    public static PointField Read(CdrReader reader) => new(reader.ReadString("fields.name"),
        reader.ReadUInt32("fields.offset"), (PointFieldDatatype)reader.ReadUInt8("fields.datatype"),
        reader.ReadUInt32("fields.count"));

    public void Write(CdrWriter writer)
    {
        writer.WriteString(Name);
        writer.WriteUInt32(Offset);
        writer.WriteUInt8((byte)Datatype);
        writer.WriteUInt32(Count);
    }
}

/// <summary>
/// sensor_msgs/PointCloud2. <see cref="Data"/> is a <see cref="ReadOnlyMemory{T}"/>: a deserialized cloud's data is a
/// slice of the received payload and a cloud built for sending can wrap an existing buffer, both without a copy.
/// Use <see cref="PointClouds.PointCloud2Reader"/> to read fields of any layout.
/// </summary>
public sealed record PointCloud2 : IRosMessage<PointCloud2>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("sensor_msgs/PointCloud2");

    public static int MinWireSize => Header.MinWireSize + 30;

    public required Header Header { get; init; }

    /// <summary>Rows (1 for an unorganised cloud).</summary>
    public uint Height { get; init; } = 1;

    /// <summary>Points per row.</summary>
    public required uint Width { get; init; }

    public required IReadOnlyList<PointField> Fields { get; init; }

    public bool IsBigEndian { get; init; }

    public required uint PointStep { get; init; }

    public required uint RowStep { get; init; }

    public required ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>True when no point is invalid (NaN).</summary>
    public bool IsDense { get; init; } = true;

    public static PointCloud2 Read(CdrReader reader) => new()
    {
        Header = Header.Read(reader),
        Height = reader.ReadUInt32("height"),
        Width = reader.ReadUInt32("width"),
        Fields = reader.ReadSequence<PointField>("fields"),
        IsBigEndian = reader.ReadBool("is_bigendian"),
        PointStep = reader.ReadUInt32("point_step"),
        RowStep = reader.ReadUInt32("row_step"),
        Data = reader.ReadByteSequence("data"),
        IsDense = reader.ReadBool("is_dense"),
    };

    public void Write(CdrWriter writer)
    {
        Header.Write(writer);
        writer.WriteUInt32(Height);
        writer.WriteUInt32(Width);
        writer.WriteSequence(Fields);
        writer.WriteBool(IsBigEndian);
        writer.WriteUInt32(PointStep);
        writer.WriteUInt32(RowStep);
        writer.WriteByteSequence(Data.Span);
        writer.WriteBool(IsDense);
    }

    /// <summary>The serialized payload, sized up front so the point data is copied once.</summary>
    public byte[] Serialize() => RosSerialization.Serialize(this, Data.Length + 128 + (Fields.Count * 32));
}

/// <summary>sensor_msgs/CompressedImage (used by Marker.texture).</summary>
public sealed record CompressedImage(Header Header, string Format, ReadOnlyMemory<byte> Data) : IRosMessage<CompressedImage>
{
    public static RosMessageType MessageType { get; } = RosMessageType.Get("sensor_msgs/CompressedImage");

    public static int MinWireSize => Header.MinWireSize + 8;

    public static CompressedImage Empty { get; } = new(new Header(default, ""), "", ReadOnlyMemory<byte>.Empty);

    public static CompressedImage Read(CdrReader reader) =>
        new(Header.Read(reader), reader.ReadString("texture.format"), reader.ReadByteSequence("texture.data"));

    public void Write(CdrWriter writer)
    {
        Header.Write(writer);
        writer.WriteString(Format);
        writer.WriteByteSequence(Data.Span);
    }
}
