using TorchSparse.Conv;
using TorchSparse.Gpu.Generator;
using TorchSparse.Gpu.OpenCl;
using TorchSparse.Gpu.Tests.OpenCl;

namespace TorchSparse.Gpu.Tests.Generator;

/// <summary>
/// The float16-storage variants of the generated kernels (half loads into float32 registers, the CUDA backend's
/// feature format) compile and compute on PoCL: OpenCL's vload_half/vstore_half are core, so no fp16 extension is
/// needed. References are the float32 computations on the same half-valued inputs.
/// </summary>
[Collection(ClTestGroup.Name)]
public sealed class Float16KernelTests(ClDeviceFixture fixture)
{
    private readonly ClDevice device = fixture.Device;

    public static TheoryData<KernelSpec> Float16Specs { get; } = new()
    {
        new KernelSpec { Family = KernelFamily.ImplicitGemm, Element = ScalarType.Float16 },
        new KernelSpec { Family = KernelFamily.ImplicitGemm, Element = ScalarType.Float16, SortedMasks = true, MaskSplits = 2 },
        new KernelSpec { Family = KernelFamily.ImplicitGemm, Element = ScalarType.Float16, AffineEpilogue = true, ReluEpilogue = true, InputChannelDivisor = 3 },
        new KernelSpec { Family = KernelFamily.IndexedGemm, Element = ScalarType.Float16, TransposeA = true, IndexedA = true },
        new KernelSpec { Family = KernelFamily.Gather, Element = ScalarType.Float16 },
    };

    [Theory]
    [MemberData(nameof(Float16Specs))]
    public void Float16_variant_compiles(KernelSpec spec)
    {
        GeneratedKernel kernel = KernelGenerator.Render(spec, KernelDialect.OpenCl);
        Assert.NotNull(device.GetKernel(kernel.Source, kernel.Name));
    }

    [Fact]
    public void Float16_gather_copies_halves_exactly()
    {
        const int rows = 37, channels = 5;
        Half[] input = [.. Enumerable.Range(0, rows * channels).Select(i => (Half)((i * 0.37f) - 20f))];
        int[] index = [.. Enumerable.Range(0, 50).Select(p => (p * 7 % (rows + 5)) - 5)];
        using ClBuffer inputBuffer = device.AllocateFrom<Half>(input);
        using ClBuffer indexBuffer = device.AllocateFrom<int>(index);
        using ClBuffer output = device.Allocate((long)index.Length * channels * sizeof(ushort));
        ClKernel kernel = Kernel(new KernelSpec { Family = KernelFamily.Gather, Element = ScalarType.Float16 });
        kernel.SetArgs(inputBuffer, indexBuffer, output, 0L, 0L, index.Length, channels);
        device.Launch(kernel, [index.Length * channels], []);

        var result = new Half[index.Length * channels];
        device.Read<Half>(output, result);
        for (int p = 0; p < index.Length; p++)
        {
            for (int c = 0; c < channels; c++)
            {
                Assert.Equal(index[p] >= 0 ? input[(index[p] * channels) + c] : Half.Zero, result[(p * channels) + c]);
            }
        }
    }

    [Theory]
    [InlineData(70, 48, 33)]
    [InlineData(129, 64, 64)]
    public void Float16_gemm_matches_float32_on_the_same_values(int m, int k, int n)
    {
        var random = new Random(m);
        Half[] a = [.. Enumerable.Range(0, m * k).Select(_ => (Half)((random.NextSingle() * 2) - 1))];
        Half[] b = [.. Enumerable.Range(0, k * n).Select(_ => (Half)((random.NextSingle() * 2) - 1))];
        var expected = new float[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    sum += (float)a[(i * k) + p] * (float)b[(p * n) + j];
                }

                expected[(i * n) + j] = (float)sum;
            }
        }

        var spec = new KernelSpec { Family = KernelFamily.IndexedGemm, Element = ScalarType.Float16, Tiling = GeneratedTilings.For(k, n) with { VectorWidth = 1 } };
        using ClBuffer aBuffer = device.AllocateFrom<Half>(a);
        using ClBuffer bBuffer = device.AllocateFrom<Half>(b);
        using ClBuffer c = device.Allocate((long)m * n * sizeof(float));
        using ClBuffer none = device.Allocate(16);
        using ClBuffer batch = device.AllocateFrom<long>([0, 0, 0, 0, m, k]);
        ClKernel kernel = Kernel(spec);
        kernel.SetArgs(aBuffer, bBuffer, c, none, none, none, batch, none, none, n, k, n, n);
        KernelTiling t = spec.Tiling;
        int threads = t.ThreadsM * t.ThreadsN;
        device.Launch(kernel, [(long)((m + t.TileM - 1) / t.TileM) * threads, (n + t.TileN - 1) / t.TileN, 1], [threads, 1, 1]);

        var result = new float[m * n];
        device.Read<float>(c, result);
        for (int i = 0; i < result.Length; i++)
        {
            // float32 sums of exact products (half x half fits a float) in another order: k terms of magnitude <= 1.
            Assert.True(Math.Abs(result[i] - expected[i]) <= 1e-5f * k, $"element {i}: {result[i]} vs {expected[i]}");
        }
    }

    private ClKernel Kernel(KernelSpec spec)
    {
        GeneratedKernel rendered = KernelGenerator.Render(spec, KernelDialect.OpenCl);
        return device.GetKernel(rendered.Source, rendered.Name);
    }
}
