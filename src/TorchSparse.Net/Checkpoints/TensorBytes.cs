using System.Runtime.InteropServices;

namespace TorchSparse.Checkpoints;

/// <summary>What the checkpoint writers need from a tensor: its storage kind and its elements as file bytes.</summary>
internal static class TensorBytes
{
    /// <summary>The storage kind a tensor of <paramref name="dtype"/> is written as.</summary>
    /// <exception cref="ArgumentException">No writer holds <paramref name="dtype"/>; the message names
    /// <paramref name="name"/>.</exception>
    public static StorageKind KindOf(DType dtype, string name) => dtype switch
    {
        DType.Float32 => StorageKind.Float,
        DType.Float16 => StorageKind.Half,
        DType.Int32 => StorageKind.Int,
        DType.Int64 => StorageKind.Long,
        _ => throw new ArgumentException($"tensor '{name}' has dtype {dtype}, which checkpoints cannot hold"),
    };

    /// <summary>The elements, row-major, little-endian whatever the machine (both formats are little-endian).
    /// </summary>
    public static byte[] LittleEndian(Tensor tensor)
    {
        // One copy, straight from the tensor's storage into the bytes the file gets.
        byte[] bytes = new byte[tensor.Length * DTypeInfo.SizeOf(tensor.DType)];
        switch (tensor.DType)
        {
            case DType.Float32: Download<float>(tensor, bytes); break;
            case DType.Float16: Download<Half>(tensor, bytes); break;
            case DType.Int32: Download<int>(tensor, bytes); break;
            default: Download<long>(tensor, bytes); break;
        }

        if (!BitConverter.IsLittleEndian)
        {
            int size = DTypeInfo.SizeOf(tensor.DType);
            for (int at = 0; at < bytes.Length; at += size)
            {
                bytes.AsSpan(at, size).Reverse();
            }
        }

        return bytes;
    }

    private static void Download<T>(Tensor tensor, byte[] bytes)
        where T : unmanaged =>
        tensor.Storage.Backend.Download<T>(tensor.Storage, MemoryMarshal.Cast<byte, T>(bytes.AsSpan()));
}
