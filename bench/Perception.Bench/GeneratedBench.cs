using TorchSparse;
using TorchSparse.Conv;
using TorchSparse.Gpu;
using TorchSparse.Gpu.OpenCl;
using TorchSparse.Nn;
using TorchSparse.Tuning;

namespace Perception.Bench;

/// <summary>
/// The engine figures of <see cref="EngineBench"/> (same keys) run through the generated kernels of the OpenCL
/// backend, each with the largest difference from the CPU backend's result on the same data, the tuner's choice
/// among the generated configurations, and the kernels that ran. On PoCL (the CPU driver used in CI) this checks
/// that every kernel family runs and agrees; its speed says nothing about a GPU.
/// </summary>
public static class GeneratedBench
{
    public static BenchReport Run(bool quick, IProgress<string>? progress = null)
    {
        var report = new BenchReport();
        int repeats = quick ? 3 : 5;
        progress?.Report("opening the OpenCL device");
        Device device = OpenClDevices.Open();
        report.Add("machine", TuningRecord.CurrentMachine, "processor, threads and vector width");
        report.Add("backend", device.ToString(), "the OpenCL device the generated kernels ran on");

        progress?.Report("generating the standard scan");
        StandardWorkload workload = StandardWorkload.Create();
        report.Add("voxels", workload.VoxelCount, "voxels", "voxels at 0.05 m");

        Gemm(report, device, repeats, progress);
        KernelMaps(report, device, workload, repeats, progress);
        foreach (int channels in quick ? new[] { 32, 64 } : [32, 64, 128])
        {
            Conv(report, device, workload, channels, repeats, progress);
        }

        report.Add("kmap_subm3_vs_conv64", report.Number("kmap_subm3_ms") / report.Number("conv64_tuned_ms"), "x",
            "submanifold map build / tuned 64->64 conv");
        return report;
    }

    private static void Gemm(BenchReport report, Device device, int repeats, IProgress<string>? progress)
    {
        (string Key, int M, int N, int K)[] shapes = [("1024", 1024, 1024, 1024), ("n64", 100_000, 64, 64), ("n128", 100_000, 128, 128)];
        foreach ((string key, int m, int n, int k) in shapes)
        {
            progress?.Report($"GEMM {m}x{n}x{k} on {device}");
            float[] a = Seeded((long)m * k, 1);
            float[] b = Seeded((long)k * n, 2);
            Tensor da = Tensor.From<float>(a, [m, k], device);
            Tensor db = Tensor.From<float>(b, [k, n], device);
            Tensor dc = Tensor.Empty(DType.Float32, device, m, n);
            double ms = Median(() => device.Backend.MatMul(da, db, dc), device, repeats);
            Tensor cpu = Tensor.Empty(DType.Float32, m, n);
            Device.Cpu.Backend.MatMul(Tensor.From(a, m, k), Tensor.From(b, k, n), cpu);
            report.Add($"gemm_{key}_gflops", 2.0 * m * n * k / (ms * 1e6), "GFLOP/s", $"generated indexed GEMM, {m}x{n}x{k}");
            report.Add($"gemm_{key}_max_abs_diff", MaxAbsDifference(cpu.AsSpan<float>(), dc.ToArray<float>()), "",
                "largest |OpenCL - CPU backend|");
            if (OpenBlas.IsAvailable)
            {
                GemmMeasurement reference = GemmBench.Measure(m, n, k, TimeSpan.FromSeconds(1), Device.CpuThreads);
                report.Add($"openblas_{key}_gflops", reference.OpenBlasGflops, "GFLOP/s", $"OpenBLAS cblas_sgemm, {m}x{n}x{k}");
                report.Add($"gemm_{key}_vs_openblas", 2.0 * m * n * k / (ms * 1e6) / reference.OpenBlasGflops, "x",
                    "generated kernel / OpenBLAS on the same cores");
            }
        }
    }

    private static void KernelMaps(BenchReport report, Device device, StandardWorkload workload, int repeats,
        IProgress<string>? progress)
    {
        progress?.Report("kernel maps on the device");
        Tensor coords = workload.Coords.CopyTo(device);
        Tensor feats = Tensor.Zeros(DType.Float32, device, workload.VoxelCount, 1);
        double Build(ConvGeometry g) => Median(() => SparseConv.KernelMapFor(new SparseTensor(feats, coords), g), device, repeats);
        report.Add("kmap_subm3_ms", Build(new ConvGeometry(3)), "ms", "generated hash table + submanifold 3x3x3 map");
        report.Add("kmap_down2_ms", Build(new ConvGeometry(2, stride: 2)), "ms",
            "generated strided 2x2x2 map: output keys, bitonic sort, unique + scan, table lookup");
        report.Add("kmap_subm3_equal_to_cpu", SameAsCpu(workload, feats, coords, new ConvGeometry(3)) ? "yes" : "NO",
            "the generated submanifold map is identical to the CPU builder's");
        report.Add("kmap_down2_equal_to_cpu", SameAsCpu(workload, feats, coords, new ConvGeometry(2, stride: 2)) ? "yes" : "NO",
            "the generated strided map (and its output coordinates) is identical to the CPU builder's");
    }

    private static bool SameAsCpu(StandardWorkload workload, Tensor feats, Tensor coords, ConvGeometry g)
    {
        var cpu = new SparseTensor(Tensor.Zeros(DType.Float32, workload.VoxelCount, 1), workload.Coords);
        var onDevice = new SparseTensor(feats, coords);
        TorchSparse.KernelMaps.KernelMap cpuMap = SparseConv.KernelMapFor(cpu, g);
        TorchSparse.KernelMaps.KernelMap deviceMap = SparseConv.KernelMapFor(onDevice, g);
        return cpuMap.OutInMap.SequenceEqual(deviceMap.OutInMap)
            && cpuMap.OutputCoords!.ToArray<int>().AsSpan().SequenceEqual(deviceMap.OutputCoords!.ToArray<int>());
    }

    private static void Conv(BenchReport report, Device device, StandardWorkload workload, int c, int repeats,
        IProgress<string>? progress)
    {
        SparseTensor cpuInput = workload.Features(c);
        var cpuLayer = new Conv3d(c, c, 3, seed: c);
        float[] expected = cpuLayer.Forward(cpuInput).Feats.ToArray<float>();
        double cpuMs = ConvAutotuner.MedianMilliseconds(() => cpuLayer.Forward(cpuInput), repeats);
        report.Add($"conv{c}_cpu_ms", cpuMs, "ms", $"{c}->{c} on the CPU backend, default config (same run)");

        var x = new SparseTensor(cpuInput.Feats.CopyTo(device), cpuInput.Coords.CopyTo(device));
        var layer = new Conv3d(c, c, 3, seed: c);
        layer.LoadParameters(layer.Weight.CopyTo(device), null);
        long pairs = SparseConv.KernelMapFor(x, layer.Geometry).PairCount;
        (string Name, ConvConfig Config)[] dataflows =
        [
            ("implicit_gemm", new ConvConfig()),
            ("implicit_gemm_sorted", new ConvConfig { SortByMask = true, MaskSplits = 2 }),
            ("fetch_on_demand", new ConvConfig { Dataflow = Dataflow.FetchOnDemand }),
            ("gather_scatter", new ConvConfig { Dataflow = Dataflow.GatherScatter }),
        ];
        foreach ((string name, ConvConfig config) in dataflows)
        {
            progress?.Report($"conv {c}->{c} on {device}: {name}");
            layer.Config = config;
            float[] actual = layer.Forward(x).Feats.ToArray<float>();
            report.Add($"conv{c}_{name}_ms", Median(() => layer.Forward(x), device, repeats), "ms", $"{c}->{c} 3x3x3, {config}");
            report.Add($"conv{c}_{name}_max_abs_diff", MaxAbsDifference(expected, actual), "", "largest |OpenCL - CPU backend|");
        }

        progress?.Report($"conv {c}->{c} on {device}: autotuning over {GeneratedTilings.TuningCandidates.Count} generated configs");
        TuningRecord tuned = ConvAutotuner.Tune(x, layer.Forward, [layer], repeats, GeneratedTilings.TuningCandidates);
        double tunedMs = Median(() => layer.Forward(x), device, repeats);
        report.Add($"conv{c}_tuned", tuned.Groups.Values.Single().ToString(), "the tuner's choice");
        report.Add($"conv{c}_tuned_ms", tunedMs, "ms", $"{c}->{c} with the tuned config");
        report.Add($"conv{c}_tuned_gflops", 2.0 * pairs * c * c / (tunedMs * 1e6), "GFLOP/s", "effective: 2 * pairs * Cin * Cout / time");
        report.Add($"conv{c}_tuned_vs_cpu", cpuMs / tunedMs, "x", "CPU backend time / tuned OpenCL time");
    }

    /// <summary>Median wall time of <paramref name="action"/> run to completion on the device, after a warm-up.</summary>
    private static double Median(Action action, Device device, int repeats) => ConvAutotuner.MedianMilliseconds(() =>
    {
        action();
        device.Synchronize();
    }, repeats);

    private static float MaxAbsDifference(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        float worst = expected.Length == actual.Length ? 0f : float.PositiveInfinity;
        for (int i = 0; i < Math.Min(expected.Length, actual.Length); i++)
        {
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        }

        return worst;
    }

    private static float[] Seeded(long length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (long i = 0; i < length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }
}
