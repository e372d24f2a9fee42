using TorchSparse.Coordinates;
using TorchSparse.KernelMaps;
using TorchSparse.Tests.Oracles;

namespace TorchSparse.Tests.KernelMaps;

public class DownsampleMapTests
{
    private static readonly string[] Kernels = ["1", "2", "3", "5", "3,1,3", "2,3,1"];
    private static readonly string[] Strides = ["1", "2", "3", "2,1,2"];
    private static readonly DownsampleRule[] Rules =
        [DownsampleRule.TorchSparse, DownsampleRule.Spconv, DownsampleRule.Minkowski];

    /// <summary>Every kernel x stride x dilation x padding x rule on a small two-batch cloud.</summary>
    public static TheoryData<string, string, int, int, DownsampleRule> Sweep()
    {
        var data = new TheoryData<string, string, int, int, DownsampleRule>();
        foreach (string kernel in Kernels)
        {
            foreach (string stride in Strides)
            {
                foreach (int dilation in new[] { 1, 2 })
                {
                    foreach (int padding in new[] { 0, 1 })
                    {
                        foreach (DownsampleRule rule in Rules)
                        {
                            data.Add(kernel, stride, dilation, padding, rule);
                        }
                    }
                }
            }
        }

        return data;
    }

    /// <summary>Common layer shapes over cloud sizes from empty to 20k, with duplicated coordinates.</summary>
    public static TheoryData<string, string, int, DownsampleRule, int, int, int, int> Sizes()
    {
        var data = new TheoryData<string, string, int, DownsampleRule, int, int, int, int>();
        var layers = new (string Kernel, string Stride, int Padding, DownsampleRule Rule)[]
        {
            ("2", "2", 0, DownsampleRule.TorchSparse), ("3", "2", 1, DownsampleRule.TorchSparse),
            ("3", "2", 0, DownsampleRule.Minkowski), ("3", "3", 0, DownsampleRule.Spconv),
            ("5", "2", 1, DownsampleRule.Spconv),
        };
        var clouds = new (int N, int Batches, int Grid, int Duplicates)[]
        {
            (0, 1, 4, 0), (1, 1, 4, 0), (2, 1, 4, 1), (300, 2, 8, 0), (2000, 2, 20, 50), (20000, 3, 40, 0),
        };
        foreach (var layer in layers)
        {
            foreach (var cloud in clouds)
            {
                data.Add(
                    layer.Kernel, layer.Stride, layer.Padding, layer.Rule,
                    cloud.N, cloud.Batches, cloud.Grid, cloud.Duplicates);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Sweep))]
    public void Matches_reference_over_the_layer_sweep(
        string kernel, string stride, int dilation, int padding, DownsampleRule rule)
    {
        int[] coords = TestClouds.Random(250, batches: 2, grid: 9, seed: 11);
        AssertMatchesReference(coords, kernel, stride, dilation, padding, rule);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Matches_reference_over_cloud_sizes(
        string kernel, string stride, int padding, DownsampleRule rule, int n, int batches, int grid, int duplicates)
    {
        int[] coords = TestClouds.WithDuplicates(TestClouds.Random(n, batches, grid, seed: n), duplicates, seed: 5);
        AssertMatchesReference(coords, kernel, stride, 1, padding, rule);
    }

    [Theory]
    [InlineData("2", "2", DownsampleRule.Minkowski)]
    [InlineData("3", "2", DownsampleRule.Minkowski)]
    [InlineData("3", "3", DownsampleRule.TorchSparse)]
    [InlineData("2", "2", DownsampleRule.TorchSparse)]
    [InlineData("4", "4", DownsampleRule.TorchSparse)]
    public void Minkowski_rule_accepts_negative_coordinates(string kernel, string stride, DownsampleRule rule)
    {
        int[] coords = TestClouds.Random(800, batches: 2, grid: 12, seed: 2, origin: -6);
        AssertMatchesReference(coords, kernel, stride, 1, 0, rule);
    }

    [Theory]
    [InlineData("3", "9000", DownsampleRule.Spconv)]
    [InlineData("2", "5000", DownsampleRule.Minkowski)]
    [InlineData("5", "7001,3,6000", DownsampleRule.TorchSparse)]
    public void Huge_strides_match_reference(string kernel, string stride, DownsampleRule rule)
    {
        // x and z spread over about a million cells so that huge strides still leave several outputs; y stays small.
        int[] coords = TestClouds.Random(600, 2, 20, seed: 6)
            .Select((v, i) => i % 4 == 1 || i % 4 == 3 ? v * 50_000 : v).ToArray();
        AssertMatchesReference(coords, kernel, stride, 1, 1, rule);
    }

    [Fact]
    public void Is_the_same_for_any_thread_count()
    {
        int[] coords = TestClouds.WithDuplicates(TestClouds.Random(40000, 2, 50, seed: 9), 300, seed: 1);
        (KernelMap Map, int[] OutCoords) one, many;
        using (ParallelWork.LimitThreads(1))
        {
            one = KernelMapBuilder.Downsample(coords, 3, 2, 1, 1, DownsampleRule.Spconv);
        }

        using (ParallelWork.LimitThreads(6))
        {
            many = KernelMapBuilder.Downsample(coords, 3, 2, 1, 1, DownsampleRule.Spconv);
        }

        Assert.Equal(one.OutCoords, many.OutCoords);
        Assert.Equal(one.Map.OutInMap.ToArray(), many.Map.OutInMap.ToArray());
    }

    [Fact]
    public void Large_cloud_2x2x2_downsample_matches_reference_and_round_trips_through_transpose()
    {
        int[] coords = TestClouds.Surface(200_000);
        (KernelMap map, int[] outCoords) = KernelMapBuilder.Downsample(coords, 2, 2, 1, 0, DownsampleRule.TorchSparse);

        var expected = ReferenceKernelMap.Downsample(coords, [2, 2, 2], [2, 2, 2], [1, 1, 1], [0, 0, 0], DownsampleRule.Minkowski);
        Assert.Equal(expected.OutCoords, outCoords);
        Assert.Equal(expected.Map, map.OutInMap.ToArray());

        // stride == kernel: every input feeds exactly one output, so the transposed map has one entry per input row.
        KernelMap transposed = map.Transpose();
        Assert.Equal(coords.Length / 4, transposed.PairCount);
        Assert.Equal(map.OutInMap.ToArray(), transposed.Transpose().OutInMap.ToArray());
    }

    // Over rows in key order the kept transposed map is the strided map's lists swapped (shared, not rebuilt); over
    // rows in random order it is built from the table. Either must be the table transposed entry by entry, with each
    // list in ascending output order.
    [Theory]
    [InlineData("surface", 2, 2)]
    [InlineData("surface", 3, 2)]
    [InlineData("random", 2, 2)]
    [InlineData("random", 3, 2)]
    public void The_kept_transposed_map_is_the_table_transposed(string cloud, int kernel, int stride)
    {
        int[] coords = cloud == "surface" ? TestClouds.Surface(20000) : TestClouds.Random(9000, 2, 40, seed: 5);
        (KernelMap map, _) = KernelMapBuilder.Downsample(coords, kernel, stride, 1, 0, DownsampleRule.TorchSparse);
        int volume = map.Volume;
        int[] table = map.OutInMap.ToArray();
        int[] expected = Enumerable.Repeat(-1, map.InputCount * volume).ToArray();
        for (int o = 0; o < map.OutputCount; o++)
        {
            for (int k = 0; k < volume; k++)
            {
                if (table[(o * volume) + k] is int i and >= 0)
                {
                    expected[(i * volume) + k] = o;
                }
            }
        }

        KernelMap transposed = map.Transposed;
        Assert.Equal(expected, transposed.OutInMap.ToArray());
        PairLists lists = transposed.Pairs;
        for (int k = 0; k < volume; k++)
        {
            for (int at = lists.Offsets[k]; at < lists.Offsets[k + 1]; at++)
            {
                Assert.Equal(lists.Inputs[at], expected[(lists.Outputs[at] * volume) + k]);
                Assert.True(at == lists.Offsets[k] || lists.Outputs[at] > lists.Outputs[at - 1]);
            }
        }
    }

    [Fact]
    public void Spconv_rule_rejects_negative_coordinates_naming_the_row()
    {
        int[] coords = [0, 1, 1, 1, 0, 2, -3, 1];
        var e = Assert.Throws<InvalidCoordinatesException>(
            () => KernelMapBuilder.Downsample(coords, 3, 2, 1, 1, DownsampleRule.Spconv));
        Assert.Contains("row 1", e.Message);
        Assert.Contains("y = -3", e.Message);
    }

    [Fact]
    public void Rejects_a_negative_batch_naming_the_row()
    {
        int[] coords = [0, 1, 1, 1, -2, 2, 3, 1];
        var e = Assert.Throws<InvalidCoordinatesException>(
            () => KernelMapBuilder.Downsample(coords, 2, 2, 1, 0, DownsampleRule.TorchSparse));
        Assert.Contains("row 1", e.Message);
    }

    [Theory]
    [InlineData("kernel")]
    [InlineData("stride")]
    [InlineData("dilation")]
    [InlineData("padding")]
    public void Rejects_bad_layer_parameters_naming_them(string parameter)
    {
        int[] coords = [0, 1, 1, 1];
        Int3 kernel = parameter == "kernel" ? new Int3(2, 0, 2) : 2;
        Int3 stride = parameter == "stride" ? new Int3(2, 2, -1) : 2;
        Int3 dilation = parameter == "dilation" ? 0 : 1;
        Int3 padding = parameter == "padding" ? -1 : 0;
        var e = Assert.Throws<ArgumentOutOfRangeException>(
            () => KernelMapBuilder.Downsample(coords, kernel, stride, dilation, padding, DownsampleRule.TorchSparse));
        Assert.Equal(parameter, e.ParamName);
    }

    private static void AssertMatchesReference(
        int[] coords, string kernel, string stride, int dilation, int padding, DownsampleRule rule)
    {
        int[] d = [dilation, dilation, dilation], p = [padding, padding, padding];
        var expected = ReferenceKernelMap.Downsample(
            coords, CaseText.Array3(kernel), CaseText.Array3(stride), d, p, rule);

        (KernelMap map, int[] outCoords) = KernelMapBuilder.Downsample(
            coords, CaseText.Int3(kernel), CaseText.Int3(stride), dilation, padding, rule);

        Assert.Equal(expected.OutCoords, outCoords);
        Assert.Equal(expected.Map, map.OutInMap.ToArray());
        Assert.Equal(coords.Length / 4, map.InputCount);
        Assert.Equal(outCoords.Length / 4, map.OutputCount);
    }
}
