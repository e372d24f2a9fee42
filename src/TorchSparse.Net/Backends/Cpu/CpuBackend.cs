using System.Runtime.CompilerServices;
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

    // Packed panels of constant weights (see TensorStorage.IsConstant), dropped with the storage.
    private static readonly ConditionalWeakTable<TensorStorage, PackedMatrix[]> PackedConstants = [];

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

    public override KernelMap BuildSubmanifoldMap(Tensor coords, Int3 kernel, Int3 dilation) =>
        KernelMapBuilder.Submanifold(coords.AsSpan<int>(), kernel, dilation);

    public override (KernelMap Map, Tensor OutputCoords) BuildStridedMap(Tensor coords, ConvGeometry geometry)
    {
        (KernelMap map, int[] outCoords) = KernelMapBuilder.Strided(coords.AsSpan<int>(), geometry);
        return (map, Tensor.From(outCoords, outCoords.Length / 4, 4));
    }

    public override void SparseConv(Tensor input, Tensor weight, KernelMap map, ConvConfig config, Tensor output)
    {
        PackedMatrix[] packed = Packed(weight, map.Volume, input.Size(1), output.Size(1));
        CpuSparseConv.Run(input, packed, map, config, output);
    }

    /// <summary>Whether packed panels of a constant storage are being kept (for tests).</summary>
    internal static bool HoldsPacked(TensorStorage storage) => PackedConstants.TryGetValue(storage, out _);

    /// <summary>Weights [volume, cin, cout] packed per offset; kept with a constant storage and reused.</summary>
    private static PackedMatrix[] Packed(Tensor weight, int volume, int cin, int cout)
    {
        if (!weight.Storage.IsConstant)
        {
            return Pack(weight, volume, cin, cout);
        }

        PackedMatrix[] packed = PackedConstants.GetValue(weight.Storage, _ => Pack(weight, volume, cin, cout));

        // One storage seen through another shape (a view) is packed afresh rather than read wrongly.
        return packed.Length == volume && packed[0].K == cin && packed[0].N == cout ? packed : Pack(weight, volume, cin, cout);
    }

    private static PackedMatrix[] Pack(Tensor weight, int volume, int cin, int cout)
    {
        ReadOnlySpan<float> w = weight.AsSpan<float>();
        var packed = new PackedMatrix[volume];
        for (int k = 0; k < volume; k++)
        {
            packed[k] = PackedMatrix.Pack(w.Slice(k * cin * cout, cin * cout), cin, cout);
        }

        return packed;
    }

    public override void SparseConvInputGrad(
        Tensor outputGrad, Tensor weight, KernelMap map, ConvConfig config, Tensor inputGrad)
    {
        // dX = dY * W^T over the transposed map: a forward conv from the outputs back to the inputs, so every
        // dataflow (and its speed) carries over unchanged. A mirror-symmetric map serves as its own transpose.
        int volume = map.Volume;
        int cin = inputGrad.Size(1);
        int cout = outputGrad.Size(1);
        ReadOnlySpan<float> w = weight.AsSpan<float>();
        var transposed = new float[cin * cout];
        var packed = new PackedMatrix[volume];
        for (int k = 0; k < volume; k++)
        {
            int source = map.MirrorSymmetric ? volume - 1 - k : k;
            Transpose(w.Slice(source * cin * cout, cin * cout), cin, cout, transposed);
            packed[k] = PackedMatrix.Pack(transposed, cout, cin);
        }

        CpuSparseConv.Run(outputGrad, packed, map.InputGradMap, config, inputGrad);
    }

    public override unsafe void SparseConvWeightGrad(Tensor input, Tensor outputGrad, KernelMap map, Tensor weightGrad)
    {
        PairLists pairs = map.Pairs;
        fixed (float* x = input.AsSpan<float>())
        fixed (float* dy = outputGrad.AsSpan<float>())
        fixed (float* dw = weightGrad.AsSpan<float>())
        {
            TransposedAGemm.Run(
                x, input.Size(1), pairs.Inputs, dy, outputGrad.Size(1), pairs.Outputs, map.OutputCount, pairs.Offsets, dw);
        }
    }

    public override void MatMul(Tensor a, Tensor b, Tensor output) =>
        Multiply(a, Packed(b, 1, a.Size(1), b.Size(1))[0], output);

    public override unsafe void MatMulTransposedA(Tensor a, Tensor b, Tensor output)
    {
        fixed (float* pa = a.AsSpan<float>())
        fixed (float* pb = b.AsSpan<float>())
        fixed (float* pc = output.AsSpan<float>())
        {
            TransposedAGemm.Run(pa, a.Size(1), null, pb, b.Size(1), null, a.Size(0), [0, a.Size(0)], pc);
        }
    }

    public override void MatMulTransposedB(Tensor a, Tensor b, Tensor output)
    {
        int k = b.Size(0);
        int n = b.Size(1);
        var transposed = new float[k * n];
        Transpose(b.AsSpan<float>(), k, n, transposed);
        Multiply(a, PackedMatrix.Pack(transposed, n, k), output);
    }

    public override void ColumnSums(Tensor rows, Tensor sums) =>
        CpuOps.ColumnSums(rows.AsSpan<float>(), rows.Size(1), sums.AsSpan<float>());

    public override void Activate(Tensor input, Tensor output, float? slope)
    {
        if (slope is float s)
        {
            CpuOps.LeakyRelu(input.AsSpan<float>(), output.AsSpan<float>(), s);
        }
        else
        {
            CpuOps.Relu(input.AsSpan<float>(), output.AsSpan<float>());
        }
    }

    public override void ActivationGrad(Tensor outputGrad, Tensor input, float slope, Tensor inputGrad) =>
        CpuOps.ActivationGrad(outputGrad.AsSpan<float>(), input.AsSpan<float>(), inputGrad.AsSpan<float>(), slope);

    public override void Add(Tensor a, Tensor b, Tensor output, bool relu = false) =>
        CpuOps.Add(a.AsSpan<float>(), b.AsSpan<float>(), output.AsSpan<float>(), relu);

    public override void ChannelAffine(Tensor rows, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, bool relu = false) =>
        CpuOps.ChannelAffine(rows.AsSpan<float>(), rows.Size(1), scale, shift, relu);

    public override void CopyColumns(Tensor source, Tensor destination, int column)
    {
        ReadOnlySpan<float> src = source.AsSpan<float>();
        Span<float> dst = destination.AsSpan<float>();
        int c = source.Size(1);
        int total = destination.Size(1);
        for (int r = 0; r < source.Size(0); r++)
        {
            src.Slice(r * c, c).CopyTo(dst.Slice((r * total) + column, c));
        }
    }

    private static unsafe void Multiply(Tensor a, PackedMatrix b, Tensor output)
    {
        fixed (float* aPtr = a.AsSpan<float>())
        fixed (float* cPtr = output.AsSpan<float>())
        {
            Gemm.Multiply(aPtr, a.Size(1), b, cPtr, b.N, a.Size(0), accumulate: false);
        }
    }

    /// <summary>destination [n x k] = source [k x n] transposed.</summary>
    private static void Transpose(ReadOnlySpan<float> source, int k, int n, Span<float> destination)
    {
        for (int row = 0; row < k; row++)
        {
            for (int column = 0; column < n; column++)
            {
                destination[(column * k) + row] = source[(row * n) + column];
            }
        }
    }

    public static Span<T> Span<T>(TensorStorage storage)
        where T : unmanaged => ((CpuStorage<T>)storage).Span;
}

internal sealed class CpuStorage<T> : TensorStorage
    where T : unmanaged
{
    private readonly T[] array;
    private volatile bool released;

    private CpuStorage(CpuBackend backend, T[] array, long length)
        : base(backend, DTypeInfo.Of<T>(), length) => this.array = array;

    /// <summary>The backing array: longer than <see cref="TensorStorage.Length"/> when it came from a pool.</summary>
    public T[] Array => released
        ? throw new ObjectDisposedException(
            "tensor", "this tensor's memory went back to its TensorPool (recycled as dead, or recorded by a gradient tape since disposed).")
        : array;

    /// <summary>The tensor's elements: the first <see cref="TensorStorage.Length"/> of the array.</summary>
    public Span<T> Span => Array.AsSpan(0, (int)Length);

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
        return new CpuStorage<T>(backend, array, length);
    }

    /// <summary>Storage of <paramref name="length"/> elements over a (pinned) array at least that long.</summary>
    public static CpuStorage<T> Over(T[] array, long length) => new(CpuBackend.Instance, array, length);

    /// <summary>Hands the array back (to a pool): from now on every access through this storage throws.</summary>
    public T[] Release()
    {
        T[] result = Array;
        released = true;
        return result;
    }
}
