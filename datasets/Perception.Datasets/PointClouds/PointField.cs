using System.Runtime.InteropServices;

namespace Perception.Datasets.PointClouds;

/// <summary>
/// One named per-point column of a <see cref="PointCloud"/>, stored in the file's own type so that every value
/// round-trips exactly. <see cref="Count"/> values per point (PCD COUNT; 1 for almost every field), point-major.
/// </summary>
public sealed class PointField
{
    private readonly byte[] data;

    internal PointField(string name, PointFieldType type, int count, int pointCount)
    {
        // Columns hold little-endian bytes and AsSpan reinterprets them in place, which needs a little-endian host.
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Point clouds need a little-endian machine.");
        }

        Name = name;
        Type = type;
        Count = count;
        data = new byte[checked((long)pointCount * count * type.SizeInBytes())];
    }

    public string Name { get; }

    public PointFieldType Type { get; }

    /// <summary>Values per point.</summary>
    public int Count { get; }

    /// <summary>Number of values: points × <see cref="Count"/>.</summary>
    public int Length => data.Length / Type.SizeInBytes();

    /// <summary>Raw little-endian bytes of all values, for the readers and writers.</summary>
    internal Span<byte> Bytes => data;

    /// <summary>The values as their storage type; <typeparamref name="T"/> must match <see cref="Type"/>.</summary>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> is not the field's storage type.</exception>
    public Span<T> AsSpan<T>()
        where T : unmanaged
    {
        if (typeof(T) != Type.ClrType())
        {
            throw new ArgumentException(
                $"Field '{Name}' stores {Type}; it cannot be viewed as {typeof(T).Name}.", nameof(T));
        }

        return MemoryMarshal.Cast<byte, T>(data.AsSpan());
    }

    /// <summary>One value converted to double (exact for every type except 64-bit integers above 2^53).</summary>
    public double GetValue(int point, int component = 0)
    {
        if ((uint)component >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(component), component, $"Field '{Name}' has {Count}.");
        }

        return ReadAsDouble(checked((point * Count) + component));
    }

    /// <summary>All values converted to float32, point-major.</summary>
    public float[] ToSingle()
    {
        var values = new float[Length];
        CopyToSingle(values, 0, 1);
        return values;
    }

    /// <summary>Writes component 0 of each point to destination[offset + point × stride] as float.</summary>
    internal void CopyToSingle(Span<float> destination, int offset, int stride)
    {
        int points = Length / Count;
        if (Type == PointFieldType.Float32)
        {
            ReadOnlySpan<float> source = MemoryMarshal.Cast<byte, float>(data);
            for (int p = 0; p < points; p++)
            {
                destination[offset + (p * stride)] = source[p * Count];
            }

            return;
        }

        for (int p = 0; p < points; p++)
        {
            destination[offset + (p * stride)] = (float)ReadAsDouble(p * Count);
        }
    }

    private double ReadAsDouble(int index)
    {
        int size = Type.SizeInBytes();
        ReadOnlySpan<byte> bytes = data.AsSpan(index * size, size);
        return Type.ReadLittleEndian(bytes);
    }
}
