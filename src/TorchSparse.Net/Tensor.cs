using System.Runtime.InteropServices;
using TorchSparse.Autograd;
using TorchSparse.Backends;
using TorchSparse.Backends.Cpu;

namespace TorchSparse;

/// <summary>
/// A dense, row-major tensor on one device. Reshape shares storage; every other operation allocates its result.
/// </summary>
public sealed class Tensor
{
    private readonly int[] shape;

    internal Tensor(TensorStorage storage, int[] shape)
    {
        Storage = storage;
        this.shape = shape;
        Device = storage.Backend.Device;
    }

    public DType DType => Storage.DType;

    public Device Device { get; }

    /// <summary>The shape (a copy).</summary>
    public int[] Shape => (int[])shape.Clone();

    public int Rank => shape.Length;

    /// <summary>Number of elements.</summary>
    public long Length => Storage.Length;

    internal TensorStorage Storage { get; }

    /// <summary>Size of dimension <paramref name="dim"/>; negative counts from the end.</summary>
    public int Size(int dim)
    {
        int d = dim < 0 ? dim + shape.Length : dim;
        if ((uint)d >= (uint)shape.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(dim), dim, $"tensor has rank {shape.Length}");
        }

        return shape[d];
    }

    public static Tensor Empty(DType dtype, params int[] shape) => Empty(dtype, Device.Cpu, shape);

    public static Tensor Empty(DType dtype, Device device, params int[] shape)
    {
        long length = CheckedLength(shape);
        TensorStorage storage = GradientTape.Rent(dtype, device, length, zeroed: false)
            ?? TensorPool.RentActive(dtype, device, length, zeroed: false)
            ?? device.Backend.Allocate(dtype, length, zeroed: false);
        return new Tensor(storage, (int[])shape.Clone());
    }

    public static Tensor Zeros(DType dtype, params int[] shape) => Zeros(dtype, Device.Cpu, shape);

    public static Tensor Zeros(DType dtype, Device device, params int[] shape)
    {
        long length = CheckedLength(shape);
        TensorStorage storage = GradientTape.Rent(dtype, device, length, zeroed: true)
            ?? TensorPool.RentActive(dtype, device, length, zeroed: true)
            ?? device.Backend.Allocate(dtype, length, zeroed: true);
        return new Tensor(storage, (int[])shape.Clone());
    }

    /// <summary>Copies <paramref name="data"/> into a new tensor of the given shape on <paramref name="device"/>.</summary>
    public static Tensor From<T>(ReadOnlySpan<T> data, int[] shape, Device? device = null)
        where T : unmanaged
    {
        long length = CheckedLength(shape);
        if (length != data.Length)
        {
            throw new ShapeMismatchException(
                $"data has {data.Length} elements but shape [{string.Join(", ", shape)}] needs {length}.");
        }

        Device target = device ?? Device.Cpu;
        TensorStorage storage = target.Backend.Allocate(DTypeInfo.Of<T>(), length, zeroed: false);
        target.Backend.Upload(data, storage);
        return new Tensor(storage, (int[])shape.Clone());
    }

    public static Tensor From<T>(T[] data, params int[] shape)
        where T : unmanaged => From<T>(data.AsSpan(), shape);

    /// <summary>The elements of a CPU tensor, in place. Throws for other devices or a different element type.</summary>
    public Span<T> AsSpan<T>()
        where T : unmanaged
    {
        RequireType<T>();
        if (Device.Kind != DeviceKind.Cpu)
        {
            throw new DeviceMismatchException($"AsSpan needs a CPU tensor; this one is on {Device}. Use ToArray.");
        }

        return CpuBackend.Span<T>(Storage);
    }

    /// <summary>The elements for reading on the host: in place for a CPU tensor, a downloaded copy otherwise.</summary>
    internal ReadOnlySpan<T> HostView<T>()
        where T : unmanaged => Device.Kind == DeviceKind.Cpu ? AsSpan<T>() : ToArray<T>();

    /// <summary>Copies the elements to a new host array.</summary>
    public T[] ToArray<T>()
        where T : unmanaged
    {
        RequireType<T>();
        var result = new T[Length];
        Storage.Backend.Download<T>(Storage, result);
        return result;
    }

    /// <summary>A copy of this tensor on <paramref name="device"/> (through host memory): the one way data moves
    /// between devices.</summary>
    public Tensor CopyTo(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        Tensor result = new(device.Backend.Allocate(DType, Length, zeroed: false), (int[])shape.Clone());
        switch (DType)
        {
            case DType.Float32:
                result.Storage.Backend.Upload<float>(ToArray<float>(), result.Storage);
                break;
            case DType.Float16:
                result.Storage.Backend.Upload<Half>(ToArray<Half>(), result.Storage);
                break;
            case DType.Int32:
                result.Storage.Backend.Upload<int>(ToArray<int>(), result.Storage);
                break;
            default:
                result.Storage.Backend.Upload<long>(ToArray<long>(), result.Storage);
                break;
        }

        return result;
    }

    /// <summary>A view with another shape over the same storage.</summary>
    public Tensor Reshape(params int[] newShape)
    {
        if (CheckedLength(newShape) != Length)
        {
            throw new ShapeMismatchException(
                $"cannot reshape [{string.Join(", ", shape)}] to [{string.Join(", ", newShape)}]: element counts differ.");
        }

        return new Tensor(Storage, (int[])newShape.Clone());
    }

    /// <summary>A copy converted to <paramref name="dtype"/> (float32 and float16 convert both ways; ints widen).</summary>
    public Tensor To(DType dtype)
    {
        if (dtype == DType)
        {
            return this;
        }

        Tensor result = Empty(dtype, Device, shape);
        switch (DType, dtype)
        {
            case (DType.Float32, DType.Float16):
                Convert<float, Half>(AsSpan<float>(), result.AsSpan<Half>(), v => (Half)v);
                break;
            case (DType.Float16, DType.Float32):
                Convert<Half, float>(AsSpan<Half>(), result.AsSpan<float>(), v => (float)v);
                break;
            case (DType.Int32, DType.Int64):
                Convert<int, long>(AsSpan<int>(), result.AsSpan<long>(), v => v);
                break;
            default:
                throw new DTypeMismatchException($"conversion from {DType} to {dtype} is not supported.");
        }

        return result;
    }

    public override string ToString() => $"Tensor({DType}, [{string.Join(", ", shape)}], {Device})";

    internal void RequireType<T>()
        where T : unmanaged
    {
        DType wanted = DTypeInfo.Of<T>();
        if (wanted != DType)
        {
            throw new DTypeMismatchException($"tensor holds {DType}, not {wanted}.");
        }
    }

    internal Span<byte> AsBytes() => Storage switch
    {
        CpuStorage<float> f => MemoryMarshal.AsBytes(f.Span),
        CpuStorage<Half> h => MemoryMarshal.AsBytes(h.Span),
        CpuStorage<int> i => MemoryMarshal.AsBytes(i.Span),
        CpuStorage<long> l => MemoryMarshal.AsBytes(l.Span),
        _ => throw new DeviceMismatchException($"byte view needs a CPU tensor; this one is on {Device}."),
    };

    private static void Convert<TFrom, TTo>(ReadOnlySpan<TFrom> source, Span<TTo> destination, Func<TFrom, TTo> convert)
    {
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = convert(source[i]);
        }
    }

    private static long CheckedLength(int[] shape)
    {
        long length = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0)
            {
                throw new ShapeMismatchException($"shape dimension {i} is negative ({shape[i]}).");
            }

            length = checked(length * shape[i]);
        }

        return length;
    }
}
