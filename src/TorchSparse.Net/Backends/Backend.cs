namespace TorchSparse.Backends;

/// <summary>
/// The narrow surface a compute backend implements: allocate, move bytes to and from the host, and run the ops the
/// engine launches. Public API methods validate their arguments first; backends trust what they are given.
/// </summary>
internal abstract class Backend
{
    private Device? device;

    /// <summary>The one <see cref="TorchSparse.Device"/> that stands for this backend.</summary>
    public Device Device => device ?? Interlocked.CompareExchange(ref device, new Device(this), null) ?? device;

    public abstract string Name { get; }

    public abstract DeviceKind Kind { get; }

    /// <summary>Waits until every op enqueued so far has finished (a no-op where ops run synchronously): timings of
    /// an asynchronous device are only meaningful after it.</summary>
    public virtual void Synchronize()
    {
    }

    /// <summary>Allocates storage for <paramref name="length"/> elements; contents are undefined unless zeroed.</summary>
    public abstract TensorStorage Allocate(DType dtype, long length, bool zeroed);

    public abstract void Upload<T>(ReadOnlySpan<T> source, TensorStorage destination)
        where T : unmanaged;

    public abstract void Download<T>(TensorStorage source, Span<T> destination)
        where T : unmanaged;

    /// <summary>The stride-1 kernel map of <paramref name="coords"/> [N, 4] on this device (TorchSparse's offset
    /// order; -1 for a missing neighbour). The map itself is returned in host memory.</summary>
    public abstract KernelMaps.KernelMap BuildSubmanifoldMap(Tensor coords, Int3 kernel, Int3 dilation);

    /// <summary>A strided (downsampling) or generative transposed map of <paramref name="coords"/> under
    /// <paramref name="geometry"/>, with the new output coordinates as a tensor on this device.</summary>
    public abstract (KernelMaps.KernelMap Map, Tensor OutputCoords) BuildStridedMap(Tensor coords, Conv.ConvGeometry geometry);

    /// <summary>output[o] = sum_k input[map(o, k)] * weight[k]; weight is [K, Cin, Cout], output is overwritten.</summary>
    public abstract void SparseConv(Tensor input, Tensor weight, KernelMaps.KernelMap map, Conv.ConvConfig config, Tensor output);

    /// <summary>
    /// The input gradient of <see cref="SparseConv"/> over the same <paramref name="map"/>:
    /// inputGrad[i] = sum over pairs (o, i, k) of outputGrad[o] * weight[k]^T; inputGrad [map.InputCount, Cin] is
    /// overwritten. The same dataflows as the forward apply, on the transposed map.
    /// </summary>
    public abstract void SparseConvInputGrad(
        Tensor outputGrad, Tensor weight, KernelMaps.KernelMap map, Conv.ConvConfig config, Tensor inputGrad);

    /// <summary>
    /// The weight gradient of <see cref="SparseConv"/>: weightGrad[k] = sum over pairs (o, i) of offset k of
    /// input[i]^T * outputGrad[o]; weightGrad [K, Cin, Cout] is overwritten. Must give the same bits for any
    /// degree of parallelism (a fixed reduction order, no float atomics).
    /// </summary>
    public abstract void SparseConvWeightGrad(Tensor input, Tensor outputGrad, KernelMaps.KernelMap map, Tensor weightGrad);

    /// <summary>output [M, N] = a [M, K] * b [K, N].</summary>
    public abstract void MatMul(Tensor a, Tensor b, Tensor output);

    /// <summary>output [K, N] = a [M, K]^T * b [M, N], in a fixed reduction order (a pointwise layer's weight gradient).</summary>
    public abstract void MatMulTransposedA(Tensor a, Tensor b, Tensor output);

    /// <summary>output [M, K] = a [M, N] * b [K, N]^T (a pointwise layer's input gradient).</summary>
    public abstract void MatMulTransposedB(Tensor a, Tensor b, Tensor output);

    /// <summary>sums [C] = the column sums of rows [N, C], in a fixed order (a bias gradient).</summary>
    public abstract void ColumnSums(Tensor rows, Tensor sums);

    /// <summary>output = max(input, 0), or input for input &gt;= 0 and slope * input otherwise when
    /// <paramref name="slope"/> is set; output may be input itself (in place).</summary>
    public abstract void Activate(Tensor input, Tensor output, float? slope);

    /// <summary>inputGrad = outputGrad where input &gt; 0, slope * outputGrad elsewhere (ReLU: slope 0).</summary>
    public abstract void ActivationGrad(Tensor outputGrad, Tensor input, float slope, Tensor inputGrad);

    /// <summary>output = a + b, element-wise (same shapes).</summary>
    public abstract void Add(Tensor a, Tensor b, Tensor output, bool relu = false);

    /// <summary>destination[r, column + c] = source[r, c] for every row r of source [N, C] (destination [N, D], D
    /// &gt;= column + C): one block of a channel concatenation.</summary>
    public abstract void CopyColumns(Tensor source, Tensor destination, int column);

    /// <summary>
    /// The mean of the point features per voxel of <paramref name="voxels"/> [voxels, C] (SPVCNN's point_to_voxel),
    /// forward only. The CPU computes it, with its gradient, in <c>Functional.PointVoxel</c>; backends that run
    /// generated kernels override this.
    /// </summary>
    public virtual Tensor PointToVoxel(SparseTensor voxels, Tensor pointCoords, Tensor pointFeats) =>
        throw new NotSupportedException($"point-to-voxel is not implemented on {Name}.");

    /// <summary>Trilinear interpolation of voxel features at the points [points, C] (SPVCNN's voxel_to_point),
    /// forward only; as <see cref="PointToVoxel"/>, the CPU's version lives in <c>Functional.PointVoxel</c>.</summary>
    public virtual Tensor Devoxelize(SparseTensor voxels, Tensor pointCoords) =>
        throw new NotSupportedException($"devoxelize is not implemented on {Name}.");

    /// <summary>Rows [N, C] in place: x * scale[c] + shift[c].</summary>
    public abstract void ChannelAffine(Tensor rows, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, bool relu = false);
}

/// <summary>Memory owned by one backend. Its length counts elements of <see cref="DType"/>.</summary>
internal abstract class TensorStorage(Backend backend, DType dtype, long length)
{
    public Backend Backend { get; } = backend;

    public DType DType { get; } = dtype;

    public long Length { get; } = length;

    public long Bytes => Length * DTypeInfo.SizeOf(DType);

    /// <summary>
    /// Set by the owner of a tensor nobody writes again (the weights of a conv with BatchNorm folded in), so a backend
    /// may keep a prepared form of it, such as packed GEMM panels, instead of preparing it on every call.
    /// </summary>
    public bool IsConstant { get; private set; }

    public void MarkConstant() => IsConstant = true;
}
