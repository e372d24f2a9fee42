using TorchSparse.KernelMaps;
using TorchSparse.Tests.Oracles;

namespace TorchSparse.Tests.KernelMaps;

public class KernelOffsetOrderTests
{
    // (kernel, displacement dx, dy, dz at dilation 1, TorchSparse flat index), worked out by hand from
    // k = jx + kx*(jy + ky*jz) (all axes odd) and k = jz + kz*(jy + ky*jx) (otherwise).
    [Theory]
    [InlineData("3", 1, 0, 0, 14)]
    [InlineData("3", 0, 0, 0, 13)]
    [InlineData("3", -1, -1, -1, 0)]
    [InlineData("3", 0, 1, 0, 16)]
    [InlineData("3", 0, 0, 1, 22)]
    [InlineData("3", 1, 1, 1, 26)]
    [InlineData("2", 1, 0, 0, 4)]
    [InlineData("2", 0, 1, 0, 2)]
    [InlineData("2", 0, 0, 1, 1)]
    [InlineData("2", 1, 1, 1, 7)]
    [InlineData("5", 2, -2, 0, 54)]
    [InlineData("1", 0, 0, 0, 0)]
    [InlineData("3,1,3", 1, 0, -1, 2)]
    [InlineData("3,1,3", -1, 0, 1, 6)]
    [InlineData("2,3,1", 1, 1, 0, 5)]
    [InlineData("2,3,1", 0, -1, 0, 0)]
    public void Flat_offset_matches_hand_computed_index(string kernelText, int dx, int dy, int dz, int expected)
    {
        Int3 kernel = CaseText.Int3(kernelText);
        int jx = OffsetIndex(kernel.X, dx), jy = OffsetIndex(kernel.Y, dy), jz = OffsetIndex(kernel.Z, dz);
        Assert.Equal(expected, KernelMapBuilder.FlatOffset(kernel, jx, jy, jz));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    [InlineData("3")]
    [InlineData("4")]
    [InlineData("5")]
    [InlineData("3,1,3")]
    [InlineData("2,3,1")]
    [InlineData("1,3,5")]
    [InlineData("2,2,3")]
    public void Flat_offset_follows_torchsparse_loop_order(string kernelText)
    {
        Int3 kernel = CaseText.Int3(kernelText);
        var order = ReferenceKernelMap.OffsetOrder(CaseText.Array3(kernelText));
        for (int k = 0; k < order.Count; k++)
        {
            Assert.Equal(k, KernelMapBuilder.FlatOffset(kernel, order[k].X, order[k].Y, order[k].Z));
        }
    }

    [Fact]
    public void Submanifold_map_puts_the_plus_x_neighbour_at_index_14_for_k3()
    {
        int[] coords = [0, 5, 5, 5, 0, 6, 5, 5];
        KernelMap map = KernelMapBuilder.Submanifold(coords, 3, 1);
        Assert.Equal(1, map.OutInMap[14]);
        Assert.Equal(0, map.OutInMap[27 + 12]);
        Assert.Equal(4, map.PairCount);
    }

    [Fact]
    public void Downsample_map_puts_the_plus_x_input_at_index_4_for_k2()
    {
        int[] coords = [0, 0, 0, 0, 0, 1, 0, 0];
        (KernelMap map, int[] outCoords) = KernelMapBuilder.Downsample(coords, 2, 2, 1, 0, DownsampleRule.TorchSparse);
        Assert.Equal(new[] { 0, 0, 0, 0 }, outCoords);
        Assert.Equal(new[] { 0, -1, -1, -1, 1, -1, -1, -1 }, map.OutInMap.ToArray());
    }

    [Fact]
    public void Rejects_an_offset_outside_the_kernel()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelMapBuilder.FlatOffset(3, 3, 0, 0));
    }

    private static int OffsetIndex(int size, int displacement) =>
        size % 2 == 1 ? displacement + ((size - 1) / 2) : displacement;
}
