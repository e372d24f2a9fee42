using TorchSparse.Coordinates;
using TorchSparse.KernelMaps;
using TorchSparse.Tests.Oracles;

namespace TorchSparse.Tests.KernelMaps;

public class GenerativeMapTests
{
    public static TheoryData<string, string, int, int, int> Sweep()
    {
        var data = new TheoryData<string, string, int, int, int>();
        foreach (string kernel in new[] { "1", "2", "3", "5", "3,1,3", "2,3,1" })
        {
            foreach (string stride in new[] { "1", "2", "3", "1,2,3" })
            {
                foreach (int dilation in new[] { 1, 2 })
                {
                    foreach (int padding in new[] { 0, 1 })
                    {
                        data.Add(kernel, stride, dilation, padding, 150);
                    }
                }
            }
        }

        foreach (int n in new[] { 0, 1, 5000 })
        {
            data.Add("2", "2", 1, 0, n);
            data.Add("3", "2", 1, 1, n);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Sweep))]
    public void Matches_reference(string kernel, string stride, int dilation, int padding, int n)
    {
        int[] unique = TestClouds.Random(n, batches: 2, grid: n > 1000 ? 30 : 7, seed: n);
        int[] coords = TestClouds.WithDuplicates(unique, copies: n / 50, seed: 4);
        int[] d = [dilation, dilation, dilation], p = [padding, padding, padding];
        var expected = ReferenceKernelMap.Generative(coords, CaseText.Array3(kernel), CaseText.Array3(stride), d, p);

        (KernelMap map, int[] outCoords) = KernelMapBuilder.Generative(
            coords, CaseText.Int3(kernel), CaseText.Int3(stride), dilation, padding);

        Assert.Equal(expected.OutCoords, outCoords);
        Assert.Equal(expected.Map, map.OutInMap.ToArray());
    }

    [Fact]
    public void Negative_inputs_only_produce_non_negative_outputs()
    {
        int[] coords = TestClouds.Random(300, batches: 1, grid: 8, seed: 8, origin: -4);
        var expected = ReferenceKernelMap.Generative(coords, [3, 3, 3], [2, 2, 2], [1, 1, 1], [1, 1, 1]);
        (KernelMap map, int[] outCoords) = KernelMapBuilder.Generative(coords, 3, 2, 1, 1);
        Assert.Equal(expected.OutCoords, outCoords);
        Assert.Equal(expected.Map, map.OutInMap.ToArray());
    }

    [Fact]
    public void Is_the_same_for_any_thread_count()
    {
        int[] coords = TestClouds.Random(30000, 2, 40, seed: 6);
        (KernelMap Map, int[] OutCoords) one, many;
        using (ParallelWork.LimitThreads(1))
        {
            one = KernelMapBuilder.Generative(coords, 3, 2, 1, 0);
        }

        using (ParallelWork.LimitThreads(3))
        {
            many = KernelMapBuilder.Generative(coords, 3, 2, 1, 0);
        }

        Assert.Equal(one.OutCoords, many.OutCoords);
        Assert.Equal(one.Map.OutInMap.ToArray(), many.Map.OutInMap.ToArray());
    }

    [Fact]
    public void Output_beyond_int32_is_rejected_naming_the_row()
    {
        int[] coords = [0, 0, 0, 0, 0, 1_500_000_000, 0, 0];
        var e = Assert.Throws<InvalidCoordinatesException>(() => KernelMapBuilder.Generative(coords, 2, 2, 1, 0));
        Assert.Contains("row 1", e.Message);
    }
}
