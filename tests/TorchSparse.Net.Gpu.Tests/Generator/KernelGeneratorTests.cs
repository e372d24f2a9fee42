using TorchSparse.Conv;
using TorchSparse.Gpu.Generator;

namespace TorchSparse.Gpu.Tests.Generator;

/// <summary>What the generator promises regardless of a device: unique names, specialisation, validation.</summary>
public sealed class KernelGeneratorTests
{
    public static TheoryData<KernelFamily> Families() => [.. Enum.GetValues<KernelFamily>()];

    [Theory]
    [MemberData(nameof(Families))]
    public void Every_family_renders_in_both_dialects_with_its_name_as_entry_point(KernelFamily family)
    {
        var spec = new KernelSpec { Family = family };
        GeneratedKernel openCl = KernelGenerator.Render(spec, KernelDialect.OpenCl);
        GeneratedKernel cuda = KernelGenerator.Render(spec, KernelDialect.Cuda);
        Assert.Equal(spec.Name, openCl.Name);
        Assert.Contains($"#define NAME {spec.Name}\n", openCl.Source, StringComparison.Ordinal);
        Assert.Contains("KERNEL void NAME(", openCl.Source, StringComparison.Ordinal);
        Assert.Contains("#define KERNEL __kernel", openCl.Source, StringComparison.Ordinal);
        Assert.Contains("#define KERNEL extern \"C\" __global__", cuda.Source, StringComparison.Ordinal);

        // One template text: the two programs differ only in their preludes.
        Assert.Equal(Body(openCl.Source), Body(cuda.Source));
    }

    [Fact]
    public void Specs_that_change_the_source_have_distinct_names()
    {
        var baseline = new KernelSpec { Family = KernelFamily.ImplicitGemm };
        KernelSpec[] variants =
        [
            baseline,
            baseline with { SortedMasks = true },
            baseline with { SortedMasks = true, MaskSplits = 2 },
            baseline with { Tiling = GeneratedTilings.Wide },
            baseline with { Tiling = baseline.Tiling with { VectorWidth = 2 } },
            baseline with { InputChannelDivisor = 8 },
            baseline with { OutputChannelDivisor = 32 },
            baseline with { Element = ScalarType.Float16 },
            baseline with { AffineEpilogue = true },
            baseline with { ReluEpilogue = true },
        ];
        string[] names = [.. variants.Select(v => v.Name)];
        Assert.Equal(names.Length, names.Distinct().Count());
        string[] sources = [.. variants.Select(v => KernelGenerator.Render(v, KernelDialect.OpenCl).Source)];
        Assert.Equal(sources.Length, sources.Distinct().Count());
    }

    [Theory]
    [InlineData(64, 64, 4, 4)]
    [InlineData(32, 16, 4, 4)]
    [InlineData(17, 64, 4, 1)]
    [InlineData(64, 6, 4, 2)]
    [InlineData(64, 64, 2, 2)]
    public void Vector_width_falls_back_to_what_both_channel_counts_allow(int cin, int cout, int asked, int used)
    {
        var spec = new KernelSpec
        {
            Family = KernelFamily.ImplicitGemm,
            Tiling = new KernelTiling(64, 32, 8, 16, 8, asked),
            InputChannelDivisor = KernelSpec.DivisorOf(cin),
            OutputChannelDivisor = KernelSpec.DivisorOf(cout),
        };
        Assert.Equal(used, KernelGenerator.VectorWidth(spec));
        Assert.Contains($"#define VEC {used}\n", KernelGenerator.Render(spec, KernelDialect.OpenCl).Source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(64, 8, 0)]
    [InlineData(64, 16, 0)]
    [InlineData(48, 16, 0)]
    [InlineData(48, 32, 1)]
    [InlineData(17, 8, 1)]
    [InlineData(4, 8, 1)]
    public void Bound_checks_are_compiled_in_only_when_the_channels_need_them(int cin, int tileK, int check)
    {
        var spec = new KernelSpec
        {
            Family = KernelFamily.ImplicitGemm,
            Tiling = new KernelTiling(64, 32, tileK, 16, 8),
            InputChannelDivisor = KernelSpec.DivisorOf(cin),
        };
        Assert.Contains($"#define CHECK_K {check}\n", KernelGenerator.Render(spec, KernelDialect.OpenCl).Source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(3, 1)]
    [InlineData(48, 16)]
    [InlineData(64, 64)]
    [InlineData(256, 64)]
    public void Divisor_is_the_largest_power_of_two_up_to_64(int channels, int divisor) =>
        Assert.Equal(divisor, KernelSpec.DivisorOf(channels));

    [Theory]
    [InlineData(64, 32, 8, 15, 8, 1)]
    [InlineData(64, 32, 8, 16, 7, 1)]
    [InlineData(64, 32, 8, 16, 8, 3)]
    [InlineData(64, 32, 6, 16, 8, 4)]
    [InlineData(64, 32, 8, 64, 32, 1)]
    [InlineData(0, 32, 8, 16, 8, 1)]
    public void Invalid_tilings_are_refused_naming_the_tiling(int m, int n, int k, int tm, int tn, int v)
    {
        var spec = new KernelSpec { Family = KernelFamily.ImplicitGemm, Tiling = new KernelTiling(m, n, k, tm, tn, v) };
        var error = Assert.Throws<ArgumentException>(() => KernelGenerator.Render(spec, KernelDialect.OpenCl));
        Assert.Contains($"m{m}n{n}k{k}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mask_splits_outside_1_to_32_are_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelGenerator.Render(
            new KernelSpec { Family = KernelFamily.ImplicitGemm, SortedMasks = true, MaskSplits = 33 }, KernelDialect.OpenCl));

    private static string Body(string source) => source[source.IndexOf("// generated:", StringComparison.Ordinal)..];
}
