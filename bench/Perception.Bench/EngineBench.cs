using System.Runtime.Intrinsics;
using TorchSparse;
using TorchSparse.Autograd;
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
    private const int CallsPerBlock = 3;

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

        foreach (int channels in ConvWidths)
        {
            Conv(report, workload, channels, repeats, withTorch: !quick || channels == 64, progress);
        }

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

    /// <summary>One map build per call on inputs with empty caches, made before timing: enough for a warm-up call
    /// and <paramref name="repeats"/> timed ones. Each call also groups the map's pairs by offset, which every CPU
    /// dataflow reads and the conv timings (over a cached map) leave out. Built as a model pass builds it
    /// (SemanticSegmenter): in a pool scope, and recycled afterwards, so a build reuses the memory of the one before
    /// instead of faulting in fresh pages.</summary>
    private static Action FromScratch(StandardWorkload workload, ConvGeometry geometry, int repeats)
    {
        Tensor feats = Tensor.Zeros(DType.Float32, workload.VoxelCount, 1);
        var inputs = new Queue<SparseTensor>();
        for (int i = 0; i <= repeats; i++)
        {
            inputs.Enqueue(new SparseTensor(feats, workload.Coords));
        }

        var pool = new TensorPool();
        return () =>
        {
            using (pool.Activate())
            {
                _ = SparseConv.KernelMapFor(inputs.Dequeue(), geometry).Pairs;
                TensorPool.RecycleKernelMaps();
            }
        };
    }

    private static void Conv(BenchReport report, StandardWorkload workload, int c, int repeats, bool withTorch,
        IProgress<string>? progress)
    {
        SparseTensor x = workload.Features(c);
        var layer = new Conv3d(c, c, 3, seed: c);
        KernelMap map = SparseConv.KernelMapFor(x, layer.Geometry);
        double flops = 2.0 * map.PairCount * c * c;

        // Timed as a model pass runs it (SemanticSegmenter): the output's memory is recycled for the next call, so
        // no call pays for faulting in fresh pages (the GEMM it is compared with writes into one buffer, too).
        var pool = new TensorPool();
        void Forward()
        {
            using (pool.Activate())
            {
                TensorPool.Recycle(layer.Forward(x).Feats);
            }
        }

        report.Add($"conv{c}_pairs", map.PairCount, "pairs", "input-output pairs of the 3x3x3 submanifold map");
        foreach ((string name, ConvConfig config) in Dataflows)
        {
            progress?.Report($"conv {c}->{c}: {name}");
            layer.Config = config;
            double ms = ConvAutotuner.MedianMilliseconds(Forward, repeats);
            report.Add($"conv{c}_{name}_ms", ms, "ms", $"{c}->{c} 3x3x3 submanifold, {config}");
        }

        progress?.Report($"conv {c}->{c}: autotuning");
        TuningRecord tuned = ConvAutotuner.Tune(x, input =>
        {
            Forward();
            return input;
        }, [layer], repeats);

        // The tuned conv and what its targets compare it with run in alternating blocks, so that a slow moment of
        // this shared machine slows both alike instead of skewing the ratio: the dense GEMM of the same FLOPs
        // (pairs x Cin times Cin x Cout) and, for 64 channels, the submanifold and strided map builds from scratch.
        int rows = (int)Math.Min(map.PairCount, 400_000);
        List<Action> work = [Forward, GemmBench.OursCall(rows, c, c, Device.CpuThreads)];
        if (c == 64)
        {
            work.Add(FromScratch(workload, layer.Geometry, repeats * (CallsPerBlock + 1)));
            work.Add(FromScratch(workload, new ConvGeometry(2, stride: 2), repeats * (CallsPerBlock + 1)));
        }

        double[] times = InBlocks(work, repeats);
        double tunedMs = times[0];
        double gflops = flops / (tunedMs * 1e6);
        double gemmGflops = 2.0 * rows * c * c / (times[1] * 1e6);
        report.Add($"conv{c}_tuned", tuned.Groups.Values.Single().ToString(), "the tuner's choice");
        report.Add($"conv{c}_tuned_ms", tunedMs, "ms", $"{c}->{c} with the tuned config");
        report.Add($"conv{c}_tuned_gflops", gflops, "GFLOP/s", "effective: 2 * pairs * Cin * Cout / time");
        report.Add($"conv{c}_own_gemm_gflops", gemmGflops, "GFLOP/s", $"our GEMM on {rows}x{c}x{c}, same turns");
        report.Add($"conv{c}_vs_own_gemm", gflops / gemmGflops, "x",
            $"tuned conv rate / our GEMM rate on {rows}x{c}x{c} (target: at least 0.6)");
        if (c == 64)
        {
            report.Add("kmap_subm3_ms", times[2], "ms", "submanifold 3x3x3 map and its pair lists, from scratch in recycled memory");
            report.Add("kmap_subm3_vs_conv64", times[2] / tunedMs, "x",
                "submanifold map build / tuned 64->64 conv, alternating blocks (target: under 0.3)");
            report.Add("kmap_down2_ms", times[3], "ms",
                "strided 2x2x2 map, its output coordinates and pair lists, from scratch in recycled memory");
            report.Add("kmap_down2_vs_conv64", times[3] / tunedMs, "x",
                "strided map build / tuned 64->64 conv, alternating blocks (target: under 0.3)");
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
    /// Median milliseconds per action over <paramref name="blocks"/> rounds in which every action runs one untimed
    /// call (it finds its data where its own last call left it, as in a steady loop, not where the other action
    /// evicted it) and then <see cref="CallsPerBlock"/> timed ones.
    /// </summary>
    private static double[] InBlocks(List<Action> actions, int blocks)
    {
        var times = actions.Select(_ => new List<double>()).ToArray();
        for (int block = 0; block < blocks; block++)
        {
            for (int a = 0; a < actions.Count; a++)
            {
                actions[a]();
                for (int call = 0; call < CallsPerBlock; call++)
                {
                    long start = System.Diagnostics.Stopwatch.GetTimestamp();
                    actions[a]();
                    times[a].Add(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }
        }

        return times.Select(t => t.Order().ElementAt(t.Count / 2)).ToArray();
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
