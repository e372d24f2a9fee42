using System.Buffers.Binary;

namespace Perception.Datasets.PointClouds;

/// <summary>Storage type of one point field, as declared by the file (PCD TYPE/SIZE, PLY property type).</summary>
public enum PointFieldType
{
    Int8,
    UInt8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Float32,
    Float64,
}

internal static class PointFieldTypes
{
    public static int SizeInBytes(this PointFieldType type) => type switch
    {
        PointFieldType.Int8 or PointFieldType.UInt8 => 1,
        PointFieldType.Int16 or PointFieldType.UInt16 => 2,
        PointFieldType.Int32 or PointFieldType.UInt32 or PointFieldType.Float32 => 4,
        PointFieldType.Int64 or PointFieldType.UInt64 or PointFieldType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown point field type."),
    };

    /// <summary>One little-endian value of <paramref name="type"/> as double.</summary>
    public static double ReadLittleEndian(this PointFieldType type, ReadOnlySpan<byte> bytes) => type switch
    {
        PointFieldType.Int8 => (sbyte)bytes[0],
        PointFieldType.UInt8 => bytes[0],
        PointFieldType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(bytes),
        PointFieldType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
        PointFieldType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(bytes),
        PointFieldType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
        PointFieldType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(bytes),
        PointFieldType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
        PointFieldType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(bytes),
        _ => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
    };

    public static bool IsFloatingPoint(this PointFieldType type) =>
        type is PointFieldType.Float32 or PointFieldType.Float64;

    public static bool IsSigned(this PointFieldType type) =>
        type is PointFieldType.Int8 or PointFieldType.Int16 or PointFieldType.Int32 or PointFieldType.Int64;

    public static Type ClrType(this PointFieldType type) => type switch
    {
        PointFieldType.Int8 => typeof(sbyte),
        PointFieldType.UInt8 => typeof(byte),
        PointFieldType.Int16 => typeof(short),
        PointFieldType.UInt16 => typeof(ushort),
        PointFieldType.Int32 => typeof(int),
        PointFieldType.UInt32 => typeof(uint),
        PointFieldType.Int64 => typeof(long),
        PointFieldType.UInt64 => typeof(ulong),
        PointFieldType.Float32 => typeof(float),
        PointFieldType.Float64 => typeof(double),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown point field type."),
    };
}
