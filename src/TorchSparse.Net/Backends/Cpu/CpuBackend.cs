namespace TorchSparse.Backends.Cpu;

/// <summary>Host memory and managed-SIMD kernels. Storage is a pinned array so kernels can take raw pointers.</summary>
internal sealed class CpuBackend : Backend
{
    private CpuBackend()
    {
    }

    public static CpuBackend Instance { get; } = new();

    public override string Name => "cpu";

    public override DeviceKind Kind => DeviceKind.Cpu;

    public override TensorStorage Allocate(DType dtype, long length, bool zeroed) => dtype switch
    {
        DType.Float32 => CpuStorage<float>.Create(this, length, zeroed),
        DType.Float16 => CpuStorage<Half>.Create(this, length, zeroed),
        DType.Int32 => CpuStorage<int>.Create(this, length, zeroed),
        DType.Int64 => CpuStorage<long>.Create(this, length, zeroed),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    public override void Upload<T>(ReadOnlySpan<T> source, TensorStorage destination) =>
        source.CopyTo(Span<T>(destination));

    public override void Download<T>(TensorStorage source, Span<T> destination) =>
        Span<T>(source).CopyTo(destination);

    public static Span<T> Span<T>(TensorStorage storage)
        where T : unmanaged => ((CpuStorage<T>)storage).Array.AsSpan();
}

internal sealed class CpuStorage<T> : TensorStorage
    where T : unmanaged
{
    private CpuStorage(CpuBackend backend, T[] array)
        : base(backend, DTypeInfo.Of<T>(), array.LongLength) => Array = array;

    public T[] Array { get; }

    public static CpuStorage<T> Create(CpuBackend backend, long length, bool zeroed)
    {
        if (length > System.Array.MaxLength)
        {
            throw new ShapeMismatchException(
                $"a CPU tensor holds at most {System.Array.MaxLength} elements; {length} were requested.");
        }

        // Pinned on the POH so SIMD kernels can use raw pointers without pinning per call.
        T[] array = zeroed
            ? GC.AllocateArray<T>((int)length, pinned: true)
            : GC.AllocateUninitializedArray<T>((int)length, pinned: true);
        return new CpuStorage<T>(backend, array);
    }
}
