using System.Runtime.Intrinsics;
using TorchSparse;
using TorchSparse.Conv;
using TorchSparse.KernelMaps;
using TorchSparse.Nn;
using TorchSparse.Tuning;

namespace Perception.Bench;

/// <summary>
/// The figures `perception bench` reports, each next to its reference from the same run: our GEMM vs OpenBLAS,
/// kernel-map build vs the conv it serves, conv per dataflow and autotuned vs PyTorch's gather-mm-scatter on the same
/// data and map, and the conv's peak memory vs its input and output.
/// </summary>
public static class EngineBench
{
    private static readonly int[] ConvWidths = [32, 64, 128];

    private static readonly (string Name, ConvConfig Config)[] Dataflows =
    [
        ("implicit_gemm", new ConvConfig { Dataflow = Dataflow.ImplicitGemm }),
        ("implicit_gemm_sorted", new ConvConfig { Dataflow = Dataflow.ImplicitGemm, SortByMask = true }),
        ("fetch_on_demand", new ConvConfig { Dataflow = Dataflow.FetchOnDemand }),
        ("gather_scatter", new ConvConfig { Dataflow = Dataflow.GatherScatter }),
    ];

    /// <summary>Runs the engine figures, the end-to-end model figures, or both.</summary>
    public static BenchReport Run(bool quick, IProgress<string>? progress = null, bool engine = true, bool models = true)
    {
        var report = new BenchReport();
        int repeats = quick ? 5 : 15;
        report.Add("machine", TuningRecord.CurrentMachine, "processor, threads and vector width");
        report.Add("threads", Device.CpuThreads, "threads", "CPU threads used by the engine and the references");
        report.Add("simd_bits", Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128, "bits",
            "widest vector path the kernels use");

        progress?.Report("generating the standard scan");
        StandardWorkload workload = StandardWorkload.Create();
        report.Add("scan_points", workload.Scan.Count, "points", "points in the ray-cast 64-beam scan");
        report.Add("voxels", workload.VoxelCount, "voxels", "voxels at 0.05 m");

        // Models first: their peak-memory figure reads the process high-water mark, which later suites would raise.
        if (models)
        {
            ModelBench.Run(report, workload, quick ? 3 : 7, progress);
        }

        if (!engine)
        {
            return report;
        }

        Gemm(report, quick, progress);

        KernelMaps(report, workload, repeats, progress);
        foreach (int channels in ConvWidths)
        {
            Conv(report, workload, channels, repeats, withTorch: !quick || channels == 64, progress);
        }

        report.Add("kmap_subm3_vs_conv64", report.Number("kmap_subm3_ms") / report.Number("conv64_tuned_ms"), "x",
            "submanifold map build / tuned 64->64 conv (target: under 0.3)");
        Memory(report, workload);
        return report;
    }

    private static void Gemm(BenchReport report, bool quick, IProgress<string>? progress)
    {
        if (!OpenBlas.IsAvailable)
        {
            report.Add("openblas", "unavailable: install libopenblas0-pthread (./test.sh does)", "the GEMM reference");
            return;
        }

        TimeSpan budget = TimeSpan.FromSeconds(quick ? 2 : 6);
        (string Key, int M, int N, int K)[] shapes = [("1024", 1024, 1024, 1024), ("n64", 100_000, 64, 64), ("n128", 100_000, 128, 128)];
        foreach ((string key, int m, int n, int k) in shapes)
        {
            progress?.Report($"GEMM {m}x{n}x{k}: ours and OpenBLAS");
            GemmMeasurement g = GemmBench.Measure(m, n, k, budget, Device.CpuThreads);
            report.Add($"gemm_{key}_gflops", g.OursGflops, "GFLOP/s", $"our fp32 GEMM, {m}x{n}x{k}");
            report.Add($"openblas_{key}_gflops", g.OpenBlasGflops, "GFLOP/s", $"OpenBLAS cblas_sgemm, {m}x{n}x{k}");
            report.Add($"gemm_{key}_vs_openblas", g.OursGflops / g.OpenBlasGflops, "x", "ours / OpenBLAS");
        }
    }

    private static void KernelMaps(BenchReport report, StandardWorkload workload, int repeats, IProgress<string>? progress)
    {
        progress?.Report("kernel maps");
        var subm = new ConvGeometry(3);
        var down = new ConvGeometry(2, stride: 2);
        double submMs = FromScratch(workload, subm, repeats);
        double downMs = FromScratch(workload, down, repeats);
        report.Add("kmap_subm3_ms", submMs, "ms", "hash table + submanifold 3x3x3 map, from scratch");
        report.Add("kmap_down2_ms", downMs, "ms", "strided 2x2x2 map and its output coordinates, from scratch");
    }

    /// <summary>Median time to build a map on inputs with empty caches (the inputs are made before timing).</summary>
    private static double FromScratch(StandardWorkload workload, ConvGeometry geometry, int repeats)
    {
        Tensor feats = Tensor.Zeros(DType.Float32, workload.VoxelCount, 1);
        var inputs = new Queue<SparseTensor>();
        for (int i = 0; i <= repeats; i++)
        {
            inputs.Enqueue(new SparseTensor(feats, workload.Coords));
        }

        return ConvAutotuner.MedianMilliseconds(() => SparseConv.KernelMapFor(inputs.Dequeue(), geometry), repeats);
    }

    private static void Conv(BenchReport report, StandardWorkload workload, int c, int repeats, bool withTorch,
        IProgress<string>? progress)
    {
        SparseTensor x = workload.Features(c);
        var layer = new Conv3d(c, c, 3, seed: c);
        KernelMap map = SparseConv.KernelMapFor(x, layer.Geometry);
        double flops = 2.0 * map.PairCount * c * c;
        report.Add($"conv{c}_pairs", map.PairCount, "pairs", "input-output pairs of the 3x3x3 submanifold map");
        foreach ((string name, ConvConfig config) in Dataflows)
        {
            progress?.Report($"conv {c}->{c}: {name}");
            layer.Config = config;
            double ms = ConvAutotuner.MedianMilliseconds(() => layer.Forward(x), repeats);
            report.Add($"conv{c}_{name}_ms", ms, "ms", $"{c}->{c} 3x3x3 submanifold, {config}");
        }

        progress?.Report($"conv {c}->{c}: autotuning");
        TuningRecord tuned = ConvAutotuner.Tune(x, layer.Forward, [layer], repeats);
        double tunedMs = ConvAutotuner.MedianMilliseconds(() => layer.Forward(x), repeats);
        double gflops = flops / (tunedMs * 1e6);
        report.Add($"conv{c}_tuned", tuned.Groups.Values.Single().ToString(), "the tuner's choice");
        report.Add($"conv{c}_tuned_ms", tunedMs, "ms", $"{c}->{c} with the tuned config");
        report.Add($"conv{c}_tuned_gflops", gflops, "GFLOP/s", "effective: 2 * pairs * Cin * Cout / time");

        // The same FLOPs as one dense GEMM: pairs x Cin times Cin x Cout.
        if (OpenBlas.IsAvailable)
        {
            int rows = (int)Math.Min(map.PairCount, 400_000);
            GemmMeasurement equivalent = GemmBench.Measure(rows, c, c, TimeSpan.FromSeconds(1), Device.CpuThreads);
            report.Add($"conv{c}_vs_own_gemm", gflops / equivalent.OursGflops, "x",
                $"tuned conv rate / our GEMM rate on {rows}x{c}x{c} (target: at least 0.6)");
        }

        if (!withTorch)
        {
            return;
        }

        progress?.Report($"conv {c}->{c}: PyTorch gather-mm-scatter reference");
        var workloadForTorch = GatherScatterWorkload.FromKernelMap(
            map, x.Feats.ToArray<float>(), c, layer.Weight.ToArray<float>(), c);
        TorchReferenceResult torch;
        try
        {
            torch = new TorchReference().Run(workloadForTorch, threads: Device.CpuThreads, repeats: repeats);
        }
        catch (TorchReferenceUnavailableException e)
        {
            report.Add($"conv{c}_torch", $"unavailable: {e.Message}", "the PyTorch reference (python3-torch)");
            return;
        }

        report.Add($"conv{c}_torch_ms", torch.MedianMs, "ms", $"PyTorch {torch.TorchVersion} gather-mm-scatter, {torch.Threads} threads");
        report.Add($"conv{c}_speedup_vs_torch", torch.MedianMs / tunedMs, "x", "PyTorch time / tuned time");
        report.Add($"conv{c}_torch_max_abs_diff", torch.MaxAbsDifference(layer.Forward(x).Feats.AsSpan<float>()), "",
            "largest |ours - PyTorch| over the output");
    }

    /// <summary>
    /// Peak memory of the 64->64 layer with its map built: input features (already resident) plus everything the
    /// call allocates (output, packed weights, workspaces), counted by the GC across all threads.
    /// </summary>
    private static void Memory(BenchReport report, StandardWorkload workload)
    {
        SparseTensor x = workload.Features(64);
        var layer = new Conv3d(64, 64, 3);
        layer.Forward(x);
        long inputBytes = x.Feats.Length * sizeof(float);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        SparseTensor y = layer.Forward(x);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        long ioBytes = inputBytes + (y.Feats.Length * sizeof(float));
        report.Add("conv64_peak_bytes", inputBytes + allocated, "bytes", "input features + all bytes the call allocated");
        report.Add("conv64_io_bytes", ioBytes, "bytes", "input plus output features");
        report.Add("conv64_peak_vs_io", (double)(inputBytes + allocated) / ioBytes, "x", "target: at most 3");
    }
}
