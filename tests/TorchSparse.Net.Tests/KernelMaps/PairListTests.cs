using TorchSparse.Coordinates;
using TorchSparse.KernelMaps;
using TorchSparse.Tests.Oracles;

namespace TorchSparse.Tests.KernelMaps;

/// <summary>
/// Per-offset pair lists (what every dataflow reads) against a naive grouping of the reference map's table: offset by
/// offset, pairs in ascending output order. Built in parallel chunks, so they must not depend on the thread count.
/// Clouds in random row order get a table grouped into lists; sorted surfaces with unique voxels give mirror-symmetric
/// maps in key order, whose lists the join writes directly.
/// </summary>
public class PairListTests
{
    [Theory]
    [InlineData("random", 0, 3, 1)]
    [InlineData("random", 1, 3, 1)]
    [InlineData("random", 500, 3, 1)]
    [InlineData("random", 30000, 3, 1)]
    [InlineData("random", 30000, 3, 2)]
    [InlineData("random", 30000, 3, 8)]
    [InlineData("surface", 1, 3, 1)]
    [InlineData("surface", 500, 3, 1)]
    [InlineData("surface", 30000, 3, 1)]
    [InlineData("surface", 30000, 3, 2)]
    [InlineData("surface", 30000, 3, 8)]
    [InlineData("surface", 30000, 5, 3)]
    [InlineData("surface", 30000, 1, 2)]
    public void Equal_a_naive_grouping_for_any_thread_count(string cloud, int n, int kernel, int threads)
    {
        int[] coords = cloud == "random" ? TestClouds.Random(n, 2, 48, seed: 11) : TestClouds.Surface(n, batches: 2);
        KernelMap map;
        PairLists lists;
        using (ParallelWork.LimitThreads(threads))
        {
            map = KernelMapBuilder.Submanifold(coords, new Int3(kernel, kernel, kernel), 1);
            lists = map.Pairs;
        }

        if (n >= 500)
        {
            Assert.Equal(cloud == "surface", map.MirrorSymmetric && !map.HoldsTable);
        }

        var inputs = new List<int>();
        var outputs = new List<int>();
        var offsets = new List<int> { 0 };
        int[] table = ReferenceKernelMap.Submanifold(coords, [kernel, kernel, kernel], [1, 1, 1]);
        for (int k = 0; k < map.Volume; k++)
        {
            for (int o = 0; o < map.OutputCount; o++)
            {
                int i = table[(o * map.Volume) + k];
                if (i >= 0)
                {
                    inputs.Add(i);
                    outputs.Add(o);
                }
            }

            offsets.Add(inputs.Count);
        }

        Assert.Equal(offsets, lists.Offsets);
        Assert.Equal(inputs, lists.Inputs.Take(inputs.Count));
        Assert.Equal(outputs, lists.Outputs.Take(outputs.Count));
    }

    [Fact]
    public void A_kernel_wider_than_64_offsets_is_grouped_too()
    {
        int[] coords = TestClouds.Random(3000, 1, 20, seed: 5);
        KernelMap map = KernelMapBuilder.Submanifold(coords, new Int3(5, 5, 5), 1);
        PairLists lists = PairLists.From(map);
        Assert.Equal(125 + 1, lists.Offsets.Length);
        Assert.Equal(map.PairCount, lists.Inputs.Length);
        for (int k = 0; k < 125; k++)
        {
            for (int at = lists.Offsets[k]; at < lists.Offsets[k + 1]; at++)
            {
                Assert.Equal(lists.Inputs[at], map.OutInMap[(lists.Outputs[at] * 125) + k]);
                Assert.True(at == lists.Offsets[k] || lists.Outputs[at] > lists.Outputs[at - 1]);
            }
        }
    }
}
