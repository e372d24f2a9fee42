using System.Runtime.CompilerServices;
using TorchSparse.Backends;
using TorchSparse.Conv;
using TorchSparse.Gpu.Generator;
using TorchSparse.KernelMaps;

namespace TorchSparse.Gpu.OpenCl;

/// <summary>Device memory of the OpenCL backend.</summary>
internal sealed class ClStorage(OpenClBackend backend, DType dtype, long length, ClBuffer buffer)
    : TensorStorage(backend, dtype, length)
{
    public ClBuffer Buffer { get; } = buffer;
}

/// <summary>
/// Runs every op of the backend surface through kernels rendered by <see cref="KernelGenerator"/> in the OpenCL
/// dialect. Kernel maps are built on the host and uploaded once per map (see <see cref="DeviceKernelMap"/>).
/// Launches go to one in-order queue, so a sequence of launches that update the same rows (fetch-on-demand per
/// offset, scatter-add per offset) runs in order: every result is deterministic, with no atomics on features.
/// </summary>
internal sealed partial class OpenClBackend : Backend
{
    private const int ElementwiseGroup = 256;
    private readonly ConditionalWeakTable<KernelMap, DeviceKernelMap> maps = [];
    private readonly Dictionary<KernelSpec, GeneratedKernel> rendered = [];
    private readonly Lock gate = new();
    private readonly ClBuffer placeholder;

    internal OpenClBackend(ClDevice device)
    {
        Cl = device;
        placeholder = device.Allocate(16);
        Name = $"opencl:{device.Info.DeviceName}";
    }

    public ClDevice Cl { get; }

    public override string Name { get; }

    public override DeviceKind Kind => DeviceKind.OpenCl;

    public override void Synchronize() => Cl.Finish();

    public override TensorStorage Allocate(DType dtype, long length, bool zeroed)
    {
        long bytes = length * DTypeInfo.SizeOf(dtype);
        ClBuffer buffer = Cl.Allocate(bytes);
        if (zeroed && bytes > 0)
        {
            Cl.Fill(buffer, (byte)0, 0, bytes);
        }

        return new ClStorage(this, dtype, length, buffer);
    }

    public override void Upload<T>(ReadOnlySpan<T> source, TensorStorage destination) =>
        Cl.Write(Buffer(destination), source);

    public override void Download<T>(TensorStorage source, Span<T> destination) =>
        Cl.Read(Buffer(source), destination);

    public override void SparseConv(Tensor input, Tensor weight, KernelMap map, ConvConfig config, Tensor output) =>
        Convolve(Buffer(input), Buffer(weight), map, input.Size(1), output.Size(1), config, Buffer(output));

    public override void SparseConvInputGrad(
        Tensor outputGrad, Tensor weight, KernelMap map, ConvConfig config, Tensor inputGrad)
    {
        // dX = dY * W^T over the transposed map (or the map itself, offsets mirrored): the forward kernels with the
        // weights transposed per offset on the device.
        int volume = map.Volume;
        int cin = inputGrad.Size(1);
        int cout = outputGrad.Size(1);
        using ClBuffer transposed = Cl.Allocate((long)volume * cin * cout * sizeof(float));
        Run(new KernelSpec { Family = KernelFamily.Transpose }, volume * (long)cin * cout,
            Buffer(weight), transposed, volume, cin, cout, map.MirrorSymmetric ? 1 : 0);
        Convolve(Buffer(outputGrad), transposed, map.InputGradMap, cout, cin, config, Buffer(inputGrad));
    }

    public override void SparseConvWeightGrad(Tensor input, Tensor outputGrad, KernelMap map, Tensor weightGrad)
    {
        int cin = input.Size(1);
        int cout = outputGrad.Size(1);
        ClBuffer dw = Buffer(weightGrad);
        Zero(dw, weightGrad.Length * sizeof(float));
        PairLists pairs = map.Pairs;
        var batches = new List<long>();
        for (int k = 0; k < map.Volume; k++)
        {
            if (pairs.Size(k) > 0)
            {
                batches.AddRange([0, 0, (long)k * cin * cout, pairs.Offsets[k], cin, pairs.Size(k)]);
            }
        }

        DeviceKernelMap device = DeviceMap(map);
        var spec = new KernelSpec
        {
            Family = KernelFamily.IndexedGemm, Tiling = GemmTiling(cin, cout), TransposeA = true, IndexedA = true, IndexedB = true,
        };
        IndexedGemm(spec, Buffer(input), Buffer(outputGrad), dw, device.PairInputs, device.PairOutputs, placeholder,
            [.. batches], maxM: cin, n: cout, lda: cin, ldb: cout, ldc: cout);
    }

    public override void MatMul(Tensor a, Tensor b, Tensor output) => DenseGemm(
        new KernelSpec { Family = KernelFamily.IndexedGemm, Tiling = GemmTiling(a.Size(1), b.Size(1)) },
        a, b, output, m: a.Size(0), k: a.Size(1), n: b.Size(1), lda: a.Size(1), ldb: b.Size(1));

    public override void MatMulTransposedA(Tensor a, Tensor b, Tensor output) => DenseGemm(
        new KernelSpec { Family = KernelFamily.IndexedGemm, Tiling = GemmTiling(a.Size(1), b.Size(1)), TransposeA = true },
        a, b, output, m: a.Size(1), k: a.Size(0), n: b.Size(1), lda: a.Size(1), ldb: b.Size(1));

    public override void MatMulTransposedB(Tensor a, Tensor b, Tensor output) => DenseGemm(
        new KernelSpec { Family = KernelFamily.IndexedGemm, Tiling = GemmTiling(a.Size(1), b.Size(0)), TransposeB = true },
        a, b, output, m: a.Size(0), k: a.Size(1), n: b.Size(0), lda: a.Size(1), ldb: b.Size(1));

    public override void ColumnSums(Tensor rows, Tensor sums) =>
        Run(new KernelSpec { Family = KernelFamily.ColumnSums }, rows.Size(1),
            Buffer(rows), Buffer(sums), rows.Size(0), rows.Size(1));

    public override void Activate(Tensor input, Tensor output, float? slope) =>
        Elementwise(slope is null ? ElementwiseOp.Relu : ElementwiseOp.LeakyRelu, input, input, output, slope ?? 0f);

    public override void ActivationGrad(Tensor outputGrad, Tensor input, float slope, Tensor inputGrad) =>
        Elementwise(ElementwiseOp.ActivationGrad, outputGrad, input, inputGrad, slope);

    public override void Add(Tensor a, Tensor b, Tensor output, bool relu = false) =>
        Elementwise(relu ? ElementwiseOp.AddRelu : ElementwiseOp.Add, a, b, output, 0f);

    public override void ChannelAffine(Tensor rows, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, bool relu = false)
    {
        using ClBuffer scales = Cl.AllocateFrom(scale);
        using ClBuffer shifts = Cl.AllocateFrom(shift);
        Run(new KernelSpec { Family = KernelFamily.BatchNormActivation, ReluEpilogue = relu }, rows.Length,
            Buffer(rows), scales, shifts, rows.Length, rows.Size(1));
    }

    public override void CopyColumns(Tensor source, Tensor destination, int column)
    {
        const int Bytes = sizeof(float);
        Cl.CopyRows(Buffer(source), 0, (long)source.Size(1) * Bytes, Buffer(destination), (long)column * Bytes,
            (long)destination.Size(1) * Bytes, (long)source.Size(1) * Bytes, source.Size(0));
    }

    internal static ClBuffer Buffer(Tensor tensor) => Buffer(tensor.Storage);

    private static ClBuffer Buffer(TensorStorage storage) => ((ClStorage)storage).Buffer;

    private static KernelTiling GemmTiling(int k, int n) => GeneratedTilings.For(k, n) with { VectorWidth = 1 };

    private DeviceKernelMap DeviceMap(KernelMap map)
    {
        lock (gate)
        {
            return maps.GetValue(map, m => new DeviceKernelMap(Cl, m));
        }
    }

    private void Convolve(ClBuffer input, ClBuffer weight, KernelMap map, int cin, int cout, ConvConfig config, ClBuffer output)
    {
        if (map.OutputCount == 0 || cout == 0)
        {
            return;
        }

        KernelTiling tiling = config.Tiling ?? GeneratedTilings.For(cin, cout);
        switch (config.Dataflow)
        {
            case Dataflow.ImplicitGemm:
                ImplicitGemm(input, weight, map, cin, cout, config, tiling, output);
                break;
            case Dataflow.FetchOnDemand:
                FetchOnDemand(input, weight, map, cin, cout, tiling with { VectorWidth = 1 }, output);
                break;
            case Dataflow.GatherScatter:
                GatherScatter(input, weight, map, cin, cout, config.GroupEpsilon, tiling with { VectorWidth = 1 }, output);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(config), config.Dataflow, "unknown dataflow");
        }
    }

    private void ImplicitGemm(
        ClBuffer input, ClBuffer weight, KernelMap map, int cin, int cout, ConvConfig config, KernelTiling tiling,
        ClBuffer output)
    {
        int rows = map.OutputCount;
        int volume = map.Volume;
        bool sorted = config.SortByMask;
        int splits = sorted ? Math.Min(Math.Max(config.MaskSplits, (volume + 31) / 32), volume) : 1;
        var spec = new KernelSpec
        {
            Family = KernelFamily.ImplicitGemm, Tiling = tiling, SortedMasks = sorted, MaskSplits = splits,
            InputChannelDivisor = KernelSpec.DivisorOf(cin), OutputChannelDivisor = KernelSpec.DivisorOf(cout),
        };
        DeviceKernelMap device = DeviceMap(map);
        (ClBuffer order, ClBuffer masks) = sorted ? device.Sorted(tiling.TileM, splits) : (placeholder, placeholder);
        using ClBuffer? partial = splits > 1 ? Cl.Allocate((long)splits * rows * cout * sizeof(float)) : null;
        int threads = tiling.ThreadsM * tiling.ThreadsN;
        long tiles = (rows + tiling.TileM - 1) / tiling.TileM;
        long columnTiles = (cout + tiling.TileN - 1) / tiling.TileN;
        Launch(spec, [tiles * threads, columnTiles, splits], [threads, 1, 1],
            input, weight, device.OutIn, order, masks, placeholder, placeholder, partial ?? output, rows, volume, cin, cout);
        if (partial is not null)
        {
            Run(new KernelSpec { Family = KernelFamily.SplitSum }, (long)rows * cout,
                partial, placeholder, placeholder, output, rows, cout, splits);
        }
    }

    private void FetchOnDemand(
        ClBuffer input, ClBuffer weight, KernelMap map, int cin, int cout, KernelTiling tiling, ClBuffer output)
    {
        Zero(output, (long)map.OutputCount * cout * sizeof(float));
        PairLists pairs = map.Pairs;
        DeviceKernelMap device = DeviceMap(map);
        var spec = new KernelSpec
        {
            Family = KernelFamily.IndexedGemm, Tiling = tiling, IndexedA = true, IndexedC = true, Accumulate = true,
        };

        // One launch per offset: an offset's pairs write distinct output rows, and the in-order queue keeps the
        // offsets in order, so each output row sums its offsets in the same order every run.
        for (int k = 0; k < map.Volume; k++)
        {
            if (pairs.Size(k) > 0)
            {
                IndexedGemm(spec, input, weight, output, device.PairInputs, placeholder, device.PairOutputs,
                    [0, (long)k * cin * cout, 0, pairs.Offsets[k], pairs.Size(k), cin],
                    maxM: pairs.Size(k), n: cout, lda: cin, ldb: cout, ldc: cout);
            }
        }
    }

    private void GatherScatter(
        ClBuffer input, ClBuffer weight, KernelMap map, int cin, int cout, double epsilon, KernelTiling tiling,
        ClBuffer output)
    {
        Zero(output, (long)map.OutputCount * cout * sizeof(float));
        PairLists pairs = map.Pairs;
        DeviceKernelMap device = DeviceMap(map);
        var gemm = new KernelSpec { Family = KernelFamily.IndexedGemm, Tiling = tiling };
        foreach (int[] group in Backends.Cpu.Conv.GatherScatter.Groups(pairs, map.Volume, skip: -1, epsilon))
        {
            int rows = group.Max(pairs.Size);
            if (rows == 0)
            {
                continue;
            }

            using ClBuffer gathered = Cl.Allocate((long)group.Length * rows * cin * sizeof(float));
            using ClBuffer products = Cl.Allocate((long)group.Length * rows * cout * sizeof(float));
            var batches = new long[group.Length * 6];
            for (int j = 0; j < group.Length; j++)
            {
                int k = group[j];
                Run(new KernelSpec { Family = KernelFamily.Gather }, (long)pairs.Size(k) * cin,
                    input, device.PairInputs, gathered, (long)pairs.Offsets[k], (long)j * rows * cin, pairs.Size(k), cin);
                long[] entry = [(long)j * rows * cin, (long)k * cin * cout, (long)j * rows * cout, 0, pairs.Size(k), cin];
                entry.CopyTo(batches, j * 6);
            }

            IndexedGemm(gemm, gathered, weight, products, placeholder, placeholder, placeholder, batches,
                maxM: rows, n: cout, lda: cin, ldb: cout, ldc: cout);
            for (int j = 0; j < group.Length; j++)
            {
                int k = group[j];
                Run(new KernelSpec { Family = KernelFamily.ScatterAdd }, (long)pairs.Size(k) * cout,
                    products, device.PairOutputs, output, (long)pairs.Offsets[k], (long)j * rows * cout, pairs.Size(k), cout);
            }
        }
    }

    private void DenseGemm(KernelSpec spec, Tensor a, Tensor b, Tensor output, int m, int k, int n, int lda, int ldb)
    {
        if (k == 0)
        {
            Zero(Buffer(output), output.Length * sizeof(float));
            return;
        }

        IndexedGemm(spec, Buffer(a), Buffer(b), Buffer(output), placeholder, placeholder, placeholder,
            [0, 0, 0, 0, m, k], maxM: m, n: n, lda: lda, ldb: ldb, ldc: n);
    }

    private void IndexedGemm(
        KernelSpec spec, ClBuffer a, ClBuffer b, ClBuffer c, ClBuffer indexA, ClBuffer indexB, ClBuffer indexC,
        long[] batches, int maxM, int n, int lda, int ldb, int ldc)
    {
        int count = batches.Length / 6;
        if (count == 0 || maxM == 0 || n == 0)
        {
            return;
        }

        KernelTiling t = spec.Tiling;
        int threads = t.ThreadsM * t.ThreadsN;
        using ClBuffer batchBuffer = Cl.AllocateFrom<long>(batches);
        Launch(spec, [(long)((maxM + t.TileM - 1) / t.TileM) * threads, (n + t.TileN - 1) / t.TileN, count],
            [threads, 1, 1], a, b, c, indexA, indexB, indexC, batchBuffer, placeholder, placeholder, n, lda, ldb, ldc);
    }

    private void Elementwise(ElementwiseOp op, Tensor a, Tensor b, Tensor output, float slope) =>
        Run(new KernelSpec { Family = KernelFamily.Elementwise, Elementwise = op }, a.Length,
            Buffer(a), Buffer(b), Buffer(output), a.Length, slope);

    private void Zero(ClBuffer buffer, long bytes)
    {
        if (bytes > 0)
        {
            Cl.Fill(buffer, (byte)0, 0, bytes);
        }
    }

    /// <summary>A one-dimensional launch over <paramref name="items"/> work items, rounded up to whole groups (the
    /// row templates bound-check).</summary>
    private void Run(KernelSpec spec, long items, params object[] args)
    {
        if (items > 0)
        {
            Launch(spec, [ClDevice.RoundUp(items, ElementwiseGroup)], [ElementwiseGroup], args);
        }
    }

    private void Launch(KernelSpec spec, long[] global, long[] local, params object[] args)
    {
        GeneratedKernel source;
        lock (gate)
        {
            if (!rendered.TryGetValue(spec, out source!))
            {
                source = KernelGenerator.Render(spec, KernelDialect.OpenCl);
                rendered[spec] = source;
            }
        }

        ClKernel kernel = Cl.GetKernel(source.Source, source.Name);
        kernel.SetArgs(args);
        Cl.Launch(kernel, global, local);
    }
}
