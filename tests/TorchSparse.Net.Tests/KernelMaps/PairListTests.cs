using TorchSparse.Coordinates;
using TorchSparse.KernelMaps;
using TorchSparse.Tests.Oracles;

namespace TorchSparse.Tests.KernelMaps;

/// <summary>
/// Per-offset pair lists (what every dataflow reads) against a naive grouping of the out-in table: offset by offset,
/// pairs in ascending output order. Built in parallel chunks, so they must not depend on the thread count.
/// </summary>
public class PairListTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(500, 1)]
    [InlineData(30000, 1)]
    [InlineData(30000, 2)]
    [InlineData(30000, 8)]
    public void Equal_a_naive_grouping_for_any_thread_count(int n, int threads)
    {
        int[] coords = TestClouds.Random(n, 2, 48, seed: 11);
        KernelMap map = KernelMapBuilder.Submanifold(coords, new Int3(3, 3, 3), 1);
        PairLists lists;
        using (ParallelWork.LimitThreads(threads))
        {
            lists = PairLists.From(map);
        }

        var inputs = new List<int>();
        var outputs = new List<int>();
        var offsets = new List<int> { 0 };
        ReadOnlySpan<int> table = map.OutInMap;
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
        Assert.Equal(inputs, lists.Inputs);
        Assert.Equal(outputs, lists.Outputs);
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
