using TorchSparse.Backends.Cpu.Conv;
using TorchSparse.Conv;
using TorchSparse.KernelMaps;

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

    public override void SparseConv(Tensor input, Tensor weight, KernelMap map, ConvConfig config, Tensor output)
    {
        int volume = map.Volume;
        int cin = input.Size(1);
        int cout = output.Size(1);
        ReadOnlySpan<float> w = weight.AsSpan<float>();
        var packed = new PackedMatrix[volume];
        for (int k = 0; k < volume; k++)
        {
            packed[k] = PackedMatrix.Pack(w.Slice(k * cin * cout, cin * cout), cin, cout);
        }

        CpuSparseConv.Run(input, packed, map, config, output);
    }

    public override unsafe void MatMul(Tensor a, Tensor b, Tensor output)
    {
        int m = a.Size(0);
        int k = a.Size(1);
        int n = b.Size(1);
        PackedMatrix packed = PackedMatrix.Pack(b.AsSpan<float>(), k, n);
        fixed (float* aPtr = a.AsSpan<float>())
        fixed (float* cPtr = output.AsSpan<float>())
        {
            Gemm.Multiply(aPtr, k, packed, cPtr, n, m, accumulate: false);
        }
    }

    public override void Activate(Tensor values, float? slope)
    {
        if (slope is float s)
        {
            CpuOps.LeakyRelu(values.AsSpan<float>(), s);
        }
        else
        {
            CpuOps.Relu(values.AsSpan<float>());
        }
    }

    public override void Add(Tensor a, Tensor b, Tensor output, bool relu = false) =>
        CpuOps.Add(a.AsSpan<float>(), b.AsSpan<float>(), output.AsSpan<float>(), relu);

    public override void ChannelAffine(Tensor rows, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, bool relu = false) =>
        CpuOps.ChannelAffine(rows.AsSpan<float>(), rows.Size(1), scale, shift, relu);

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
