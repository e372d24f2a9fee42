namespace TorchSparse;

/// <summary>Element type of a <see cref="Tensor"/>. Float16 is a storage type: arithmetic runs in float32.</summary>
public enum DType
{
    Float32,
    Float16,
    Int32,
    Int64,
}

internal static class DTypeInfo
{
    public static int SizeOf(DType dtype) => dtype switch
    {
        DType.Float32 => 4,
        DType.Float16 => 2,
        DType.Int32 => 4,
        DType.Int64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    public static DType Of<T>()
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return DType.Float32;
        }

        if (typeof(T) == typeof(Half))
        {
            return DType.Float16;
        }

        if (typeof(T) == typeof(int))
        {
            return DType.Int32;
        }

        if (typeof(T) == typeof(long))
        {
            return DType.Int64;
        }

        throw new NotSupportedException($"{typeof(T).Name} is not a tensor element type (float, Half, int, long).");
    }
}
