using TorchSparse.Autograd;
using TorchSparse.Conv;
using TorchSparse.KernelMaps;
using TorchSparse.Nn;
using TorchSparse.Tests.Oracles;

namespace TorchSparse.Tests.KernelMaps;

/// <summary>
/// Kernel maps built in a <see cref="TensorPool"/> scope reuse the arrays of the maps recycled before them
/// (<see cref="TensorPool.RecycleKernelMaps"/>): longer arrays, full of another cloud's entries. Each must still be
/// the map a fresh build gives, and a recycled map must refuse to be used.
/// </summary>
public class PooledMapTests
{
    public static TheoryData<string> MapKinds() =>
        ["subm 3", "subm 3 dilation 2", "subm 2", "down 2 stride 2", "down 3 stride 2", "generative 2 stride 2", "transposed down 2"];

    [Theory]
    [MemberData(nameof(MapKinds))]
    public void A_map_built_in_recycled_memory_equals_a_fresh_build(string kind)
    {
        // Sorted surfaces (the quantizer's row order) and random row order take different key paths; the second
        // cloud of each pair is smaller, so it lands in the first one's longer, dirty arrays.
        int[][] clouds =
        [
            TestClouds.Surface(20000), TestClouds.Surface(18000),
            TestClouds.Random(9000, 2, 40, seed: 5), TestClouds.Random(8500, 2, 40, seed: 6),
        ];
        var pool = new TensorPool();
        foreach (int[] coords in clouds)
        {
            KernelMap fresh = Build(kind, coords);
            using (pool.Activate())
            {
                KernelMap pooled = Build(kind, coords);
                Assert.Equal(fresh.OutputCount, pooled.OutputCount);
                Assert.Equal(fresh.OutInMap.ToArray(), pooled.OutInMap.ToArray());
                AssertSamePairs(fresh.Pairs, pooled.Pairs);
                TensorPool.RecycleKernelMaps();
            }
        }

        Assert.True(pool.IdleBytes > 0);
    }

    [Theory]
    [InlineData("subm 3")]
    [InlineData("down 2 stride 2")]
    public void The_next_build_takes_the_recycled_pair_lists(string kind)
    {
        var pool = new TensorPool();
        int[][] recycled;
        using (pool.Activate())
        {
            KernelMap first = Build(kind, TestClouds.Surface(20000));
            recycled = [first.Pairs.Inputs, first.Pairs.Outputs];
            TensorPool.RecycleKernelMaps();
        }

        using (pool.Activate())
        {
            KernelMap next = Build(kind, TestClouds.Surface(19000));
            Assert.Contains(recycled, array => ReferenceEquals(array, next.Pairs.Inputs));
            Assert.Contains(recycled, array => ReferenceEquals(array, next.Pairs.Outputs));
        }
    }

    [Fact]
    public void A_recycled_map_throws_when_used_even_through_its_cache()
    {
        var pool = new TensorPool();
        var layer = new Conv3d(2, 3, 3, seed: 1);
        int[] coords = TestClouds.Surface(3000);
        var input = new SparseTensor(Tensor.Zeros(DType.Float32, coords.Length / 4, 2), Tensor.From(coords, coords.Length / 4, 4));
        using (pool.Activate())
        {
            KernelMap map = SparseConv.KernelMapFor(input, layer.Geometry);
            TensorPool.RecycleKernelMaps();
            var error = Assert.Throws<ObjectDisposedException>(() => map.OutInMap.ToArray());
            Assert.Contains("recycled", error.Message);
            Assert.Throws<ObjectDisposedException>(() => layer.Forward(input));
        }
    }

    [Fact]
    public void Maps_built_outside_the_scope_are_left_alone()
    {
        var pool = new TensorPool();
        KernelMap outside = KernelMapBuilder.Submanifold(TestClouds.Surface(3000), new Int3(3, 3, 3), 1);
        int[] expected = outside.OutInMap.ToArray();
        using (pool.Activate())
        {
            TensorPool.RecycleKernelMaps();
        }

        Assert.Equal(expected, outside.OutInMap.ToArray());
        Assert.Equal(0, pool.IdleBytes);
    }

    private static KernelMap Build(string kind, int[] coords) => kind switch
    {
        "subm 3" => KernelMapBuilder.Submanifold(coords, new Int3(3, 3, 3), 1),
        "subm 3 dilation 2" => KernelMapBuilder.Submanifold(coords, new Int3(3, 3, 3), 2),
        "subm 2" => KernelMapBuilder.Submanifold(coords, new Int3(2, 2, 2), 1),
        "down 2 stride 2" => Downsample(coords, 2),
        "down 3 stride 2" => Downsample(coords, 3),
        "generative 2 stride 2" => KernelMapBuilder.Generative(
            coords, new Int3(2, 2, 2), new Int3(2, 2, 2), new Int3(1, 1, 1), new Int3(0, 0, 0)).Map,
        "transposed down 2" => Downsample(coords, 2).Transposed,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown map kind"),
    };

    private static KernelMap Downsample(int[] coords, int kernel) => KernelMapBuilder.Downsample(
        coords, new Int3(kernel, kernel, kernel), new Int3(2, 2, 2), new Int3(1, 1, 1), new Int3(0, 0, 0),
        DownsampleRule.TorchSparse).Map;

    private static void AssertSamePairs(PairLists expected, PairLists actual)
    {
        int count = expected.Offsets[^1];
        Assert.Equal(expected.Offsets, actual.Offsets);
        Assert.Equal(expected.Inputs.AsSpan(0, count).ToArray(), actual.Inputs.AsSpan(0, count).ToArray());
        Assert.Equal(expected.Outputs.AsSpan(0, count).ToArray(), actual.Outputs.AsSpan(0, count).ToArray());
    }
}
