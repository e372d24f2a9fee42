using TorchSparse.Conv;
using TorchSparse.Gpu.OpenCl;
using TorchSparse.KernelMaps;
using static TorchSparse.Gpu.Tests.Backend.ParityData;

namespace TorchSparse.Gpu.Tests.Backend;

/// <summary>Kernel maps and coordinate queries built by generated kernels against the CPU builders: exactly equal.</summary>
public sealed class KernelMapParityTests
{
    [Theory]
    [InlineData(3, 3, 3, 1, 1, 1, 500)]
    [InlineData(3, 3, 3, 2, 2, 2, 500)]
    [InlineData(5, 5, 5, 1, 1, 1, 300)]
    [InlineData(2, 2, 2, 1, 1, 1, 400)]
    [InlineData(2, 3, 1, 1, 1, 1, 400)]
    [InlineData(1, 3, 5, 1, 2, 1, 400)]
    [InlineData(3, 3, 3, 1, 1, 1, 0)]
    [InlineData(3, 3, 3, 1, 1, 1, 20000)]
    public void Submanifold_map_equals_the_cpu_builder(int kx, int ky, int kz, int dx, int dy, int dz, int n)
    {
        int[] coords = Cloud(n, grid: n > 5000 ? 40 : 12, seed: n + kx);
        var kernel = new Int3(kx, ky, kz);
        var dilation = new Int3(dx, dy, dz);
        KernelMap expected = KernelMapBuilder.Submanifold(coords, kernel, dilation);
        KernelMap actual = Backend.BuildSubmanifoldMap(Tensor.From<int>(coords, [n, 4], Cl), kernel, dilation);
        Assert.Equal(expected.OutInMap.ToArray(), actual.OutInMap.ToArray());
        Assert.Equal(expected.MirrorSymmetric, actual.MirrorSymmetric);
    }

    [Fact]
    public void Duplicated_coordinates_map_to_their_first_row_and_are_not_mirror_symmetric()
    {
        int[] unique = Cloud(300, grid: 8, seed: 5);
        int[] coords = [.. unique, .. unique.AsSpan(40, 40).ToArray(), .. unique.AsSpan(0, 8).ToArray()];
        int n = coords.Length / 4;
        KernelMap expected = KernelMapBuilder.Submanifold(coords, new Int3(3, 3, 3), Int3.One);
        KernelMap actual = Backend.BuildSubmanifoldMap(Tensor.From<int>(coords, [n, 4], Cl), new Int3(3, 3, 3), Int3.One);
        Assert.Equal(expected.OutInMap.ToArray(), actual.OutInMap.ToArray());
        Assert.False(actual.MirrorSymmetric);
    }

    [Fact]
    public void Far_and_negative_coordinates_are_exact_keys()
    {
        int[] coords = [0, -32768, 32767, 0, 0, -32767, 32767, 0, 32767, 1, 1, 1, 32767, 1, 1, 2, 1, 100, -100, 7];
        KernelMap expected = KernelMapBuilder.Submanifold(coords, new Int3(3, 3, 3), Int3.One);
        KernelMap actual = Backend.BuildSubmanifoldMap(Tensor.From<int>(coords, [5, 4], Cl), new Int3(3, 3, 3), Int3.One);
        Assert.Equal(expected.OutInMap.ToArray(), actual.OutInMap.ToArray());
    }

    [Theory]
    [InlineData(-1, 0, 0, 0)]
    [InlineData(32768, 0, 0, 0)]
    [InlineData(0, 40000, 0, 0)]
    [InlineData(0, 0, -40000, 0)]
    public void Coordinates_that_cannot_be_keys_are_a_typed_error_naming_the_row(int b, int x, int y, int z)
    {
        int[] coords = [0, 1, 2, 3, 0, 2, 2, 3, b, x, y, z];
        var error = Assert.Throws<InvalidCoordinatesException>(() =>
            Backend.BuildSubmanifoldMap(Tensor.From<int>(coords, [3, 4], Cl), new Int3(3, 3, 3), Int3.One));
        Assert.Contains("coords row 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hash_query_finds_every_row_and_nothing_else()
    {
        int[] coords = Cloud(2000, grid: 20, seed: 9);
        int[] misses = [0, 25, 0, 0, 1, -1, 3, 3, 2, 0, 0, 0, -5, 0, 0, 0];
        Tensor onDevice = Tensor.From<int>(coords, [2000, 4], Cl);
        using DeviceHashTable table = Backend.BuildTable(onDevice);
        Assert.Equal(Enumerable.Range(0, 2000), Backend.Query(table, onDevice).ToArray<int>());
        Assert.Equal([-1, -1, -1, -1], Backend.Query(table, Tensor.From<int>(misses, [4, 4], Cl)).ToArray<int>());
    }

    [Fact]
    public void A_conv_on_device_coordinates_builds_its_map_on_the_device()
    {
        int[] coords = Cloud(300, grid: 10, seed: 3);
        var input = new SparseTensor(
            Tensor.From<float>(Random(300 * 4, 1), [300, 4], Cl), Tensor.From<int>(coords, [300, 4], Cl));
        KernelMap map = SparseConv.KernelMapFor(input, new ConvGeometry(new Int3(3, 3, 3)));
        Assert.Equal(KernelMapBuilder.Submanifold(coords, new Int3(3, 3, 3), Int3.One).OutInMap.ToArray(), map.OutInMap.ToArray());
    }

    private static OpenClBackend Backend => (OpenClBackend)Cl.Backend;
}
