using TorchSparse.Conv;
using TorchSparse.Gpu.OpenCl;
using TorchSparse.KernelMaps;
using static TorchSparse.Gpu.Tests.Backend.ParityData;

namespace TorchSparse.Gpu.Tests.Backend;

/// <summary>
/// Downsampling and generative maps built by generated kernels (sort, unique, rank, table lookup) against the CPU
/// builder: the output coordinates in the same order and every map entry equal, exactly.
/// </summary>
public sealed class StridedMapParityTests
{
    /// <summary>kernel, stride, dilation, padding per axis as "kx,ky,kz|sx,sy,sz|dx,dy,dz|px,py,pz", the rule, the
    /// generative flag, the row count and the grid the rows are drawn from.</summary>
    public static TheoryData<string, DownsampleRule, bool, int, int> Cases { get; } = new()
    {
        { "2,2,2|2,2,2|1,1,1|0,0,0", DownsampleRule.TorchSparse, false, 600, 12 },   // floor cells (k = s)
        { "3,3,3|2,2,2|1,1,1|0,0,0", DownsampleRule.TorchSparse, false, 600, 12 },   // k != s: the spconv rule
        { "3,3,3|2,2,2|1,1,1|1,1,1", DownsampleRule.Spconv, false, 500, 10 },
        { "3,3,3|2,2,2|2,1,1|1,0,2", DownsampleRule.Spconv, false, 500, 10 },
        { "3,3,3|2,2,2|1,1,1|0,0,0", DownsampleRule.Minkowski, false, 500, 10 },
        { "2,2,2|2,2,2|1,1,1|0,0,0", DownsampleRule.Minkowski, false, 500, 10 },
        { "3,1,2|3,1,2|1,1,1|0,0,0", DownsampleRule.TorchSparse, false, 500, 10 },   // anisotropic floor cells
        { "2,2,2|2,2,2|1,1,1|0,0,0", DownsampleRule.TorchSparse, true, 400, 10 },    // generative transposed
        { "3,3,3|2,2,2|1,1,1|1,1,1", DownsampleRule.TorchSparse, true, 300, 10 },
        { "2,2,2|2,2,2|1,1,1|0,0,0", DownsampleRule.TorchSparse, false, 20000, 60 }, // several scan levels
        { "3,3,3|2,2,2|1,1,1|0,0,0", DownsampleRule.TorchSparse, false, 0, 10 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Strided_map_equals_the_cpu_builder(string shape, DownsampleRule rule, bool generative, int n, int grid) =>
        AssertSameMap(Cloud(n, grid, seed: n + grid), Geometry(shape, rule, generative));

    [Theory]
    [InlineData(DownsampleRule.TorchSparse)]
    [InlineData(DownsampleRule.Minkowski)]
    public void Negative_coordinates_floor_downwards(DownsampleRule rule)
    {
        int[] coords = Cloud(400, grid: 10, seed: 9);
        for (int i = 0; i < coords.Length; i++)
        {
            coords[i] -= i % 4 == 0 ? 0 : 5;
        }

        AssertSameMap(coords, Geometry("2,2,2|2,2,2|1,1,1|0,0,0", rule, generative: false));
        AssertSameMap(coords, Geometry("3,3,3|2,2,2|1,1,1|0,0,0", DownsampleRule.Minkowski, generative: false));
    }

    [Fact]
    public void Duplicated_coordinates_keep_their_smallest_row()
    {
        int[] unique = Cloud(300, grid: 8, seed: 5);
        int[] coords = [.. unique.AsSpan(40, 40).ToArray(), .. unique, .. unique.AsSpan(0, 8).ToArray()];
        AssertSameMap(coords, Geometry("2,2,2|2,2,2|1,1,1|0,0,0", DownsampleRule.TorchSparse, generative: false));
        AssertSameMap(coords, Geometry("3,3,3|2,2,2|1,1,1|1,1,1", DownsampleRule.Spconv, generative: false));
    }

    [Fact]
    public void A_negative_batch_is_the_host_builders_error()
    {
        int[] coords = [0, 1, 1, 1, -1, 2, 2, 2];
        ConvGeometry g = Geometry("2,2,2|2,2,2|1,1,1|0,0,0", DownsampleRule.TorchSparse, generative: false);
        var expected = Assert.Throws<InvalidCoordinatesException>(() => KernelMapBuilder.Strided(coords, g));
        var actual = Assert.Throws<InvalidCoordinatesException>(() => Backend.BuildStridedMap(Tensor.From<int>(coords, [2, 4], Cl), g));
        Assert.Equal(expected.Message, actual.Message);
    }

    [Fact]
    public void An_output_beyond_the_key_range_is_a_typed_error_naming_the_row()
    {
        int[] coords = [0, 1, 1, 1, 0, 20000, 3, 3];
        ConvGeometry g = Geometry("2,2,2|2,2,2|1,1,1|0,0,0", DownsampleRule.TorchSparse, generative: true);
        var error = Assert.Throws<InvalidCoordinatesException>(() => Backend.BuildStridedMap(Tensor.From<int>(coords, [2, 4], Cl), g));
        Assert.Contains("row 1", error.Message, StringComparison.Ordinal);
    }

    private static void AssertSameMap(int[] coords, ConvGeometry g)
    {
        int n = coords.Length / 4;
        (KernelMap expected, int[] expectedCoords) = KernelMapBuilder.Strided(coords, g);
        (KernelMap actual, Tensor actualCoords) = Backend.BuildStridedMap(Tensor.From<int>(coords, [n, 4], Cl), g);
        Assert.Equal(expectedCoords, actualCoords.ToArray<int>());
        Assert.Equal((expected.InputCount, expected.OutputCount), (actual.InputCount, actual.OutputCount));
        Assert.Equal(expected.OutInMap.ToArray(), actual.OutInMap.ToArray());
    }

    private static ConvGeometry Geometry(string shape, DownsampleRule rule, bool generative)
    {
        Int3[] v = [.. shape.Split('|').Select(part =>
        {
            int[] a = [.. part.Split(',').Select(int.Parse)];
            return new Int3(a[0], a[1], a[2]);
        })];
        return new ConvGeometry(v[0], v[1], v[2], v[3]) { Rule = rule, Generative = generative, Transposed = generative };
    }

    private static OpenClBackend Backend => (OpenClBackend)Cl.Backend;
}
