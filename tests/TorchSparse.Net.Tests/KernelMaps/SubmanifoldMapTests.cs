using TorchSparse.Coordinates;
using TorchSparse.KernelMaps;
using TorchSparse.Tests.Oracles;

namespace TorchSparse.Tests.KernelMaps;

public class SubmanifoldMapTests
{
    private static readonly string[] Kernels = ["1", "2", "3", "5", "3,1,3", "2,3,1", "1,3,5"];

    // (n, batches, grid, duplicated rows, grid origin): empty, single voxel, dense small grids, sparse larger ones,
    // negative coordinates, and clouds where some coordinates are held by several rows.
    private static readonly (int N, int Batches, int Grid, int Duplicates, int Origin)[] Clouds =
    [
        (0, 1, 4, 0, 0), (1, 1, 4, 0, 0), (60, 1, 4, 0, 0), (2000, 2, 16, 0, 0), (20000, 3, 40, 0, 0),
        (500, 2, 10, 0, -5), (400, 2, 9, 40, 0),
    ];

    public static TheoryData<string, int, int, int, int, int, int> Cases()
    {
        var data = new TheoryData<string, int, int, int, int, int, int>();
        foreach (string kernel in Kernels)
        {
            foreach (int dilation in new[] { 1, 2 })
            {
                foreach (var c in Clouds)
                {
                    data.Add(kernel, dilation, c.N, c.Batches, c.Grid, c.Duplicates, c.Origin);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_reference(string kernel, int dilation, int n, int batches, int grid, int duplicates, int origin)
    {
        int[] coords = TestClouds.Random(n, batches, grid, seed: n + grid, origin);
        MatchesReference(TestClouds.WithDuplicates(coords, duplicates, seed: 7), kernel, dilation);
    }

    // Rows in key order, as quantize gives them: with unique voxels and an odd kernel the map is built as pair lists
    // and its table is derived from them.
    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_reference_with_rows_in_key_order(
        string kernel, int dilation, int n, int batches, int grid, int duplicates, int origin)
    {
        int[] coords = TestClouds.Random(n, batches, grid, seed: n + grid, origin);
        MatchesReference(TestClouds.InKeyOrder(TestClouds.WithDuplicates(coords, duplicates, seed: 7)), kernel, dilation);
    }

    private static void MatchesReference(int[] coords, string kernel, int dilation)
    {
        int[] expected = ReferenceKernelMap.Submanifold(
            coords, CaseText.Array3(kernel), [dilation, dilation, dilation]);

        KernelMap map = KernelMapBuilder.Submanifold(
            coords, CaseText.Int3(kernel), dilation);

        Assert.Equal(coords.Length / 4, map.OutputCount);
        Assert.Equal(coords.Length / 4, map.InputCount);
        Assert.Equal(expected, map.OutInMap.ToArray());
    }

    [Theory]
    [InlineData("3", 1)]
    [InlineData("2", 1)]
    [InlineData("3", 2)]
    public void Is_the_same_for_any_thread_count(string kernel, int dilation)
    {
        int[] coords = TestClouds.WithDuplicates(TestClouds.Random(30000, 2, 48, seed: 3), 0, 0);
        int[] one, many;
        using (ParallelWork.LimitThreads(1))
        {
            one = Build(coords, kernel, dilation);
        }

        using (ParallelWork.LimitThreads(5))
        {
            many = Build(coords, kernel, dilation);
        }

        Assert.Equal(one, many);
    }

    [Fact]
    public void Large_surface_cloud_matches_reference_and_is_mirror_symmetric()
    {
        int[] coords = TestClouds.Surface(100_000, batches: 2);
        KernelMap map = KernelMapBuilder.Submanifold(coords, 3, 1);

        Assert.Equal(ReferenceKernelMap.Submanifold(coords, [3, 3, 3], [1, 1, 1]), map.OutInMap.ToArray());

        // Transposing swaps outputs and inputs at the same offset; for a symmetric odd kernel that is the map with each
        // row's offsets reversed (i sees o at K-1-k exactly when o sees i at k).
        int[] transposed = map.Transpose().OutInMap.ToArray();
        for (int row = 0; row < map.OutputCount; row++)
        {
            Array.Reverse(transposed, row * 27, 27);
        }

        Assert.Equal(map.OutInMap.ToArray(), transposed);
        Assert.True(map.MirrorSymmetric);
    }

    [Fact]
    public void Duplicated_coordinates_or_an_even_kernel_are_not_mirror_symmetric()
    {
        int[] coords = TestClouds.Random(300, 1, 8, seed: 5);
        Assert.False(KernelMapBuilder.Submanifold(TestClouds.WithDuplicates(coords, 20, seed: 6), 3, 1).MirrorSymmetric);
        Assert.False(KernelMapBuilder.Submanifold(coords, 2, 1).MirrorSymmetric);
    }

    [Fact]
    public void Huge_dilation_on_a_wide_cloud_matches_reference()
    {
        // z spans a million cells with a dilation of 100000: the offsets still land on voxels, and the join must not
        // build a lookup over the whole dilated range.
        int[] coords = TestClouds.Random(400, 2, 6, seed: 4).Select((v, i) => i % 4 == 3 ? v * 100_000 : v).ToArray();
        foreach (int[] rows in new[] { coords, TestClouds.InKeyOrder(coords) })
        {
            int[] expected = ReferenceKernelMap.Submanifold(rows, [3, 3, 3], [1, 1, 100_000]);
            Assert.Equal(expected, KernelMapBuilder.Submanifold(rows, 3, new Int3(1, 1, 100_000)).OutInMap.ToArray());
            Assert.True(expected.Count(i => i >= 0) > rows.Length / 4, "some neighbours besides the centre");
        }
    }

    // At the int32 edges the key space cannot grow by the kernel's reach, so the join checks edge rows one by one
    // (rows in key order then take the table path too); a neighbour past int32 is no voxel, never the other end.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Coordinates_at_the_int32_edges_match_reference(bool inKeyOrder)
    {
        var rows = new List<int>();
        foreach (int x in new[] { int.MinValue, int.MinValue + 1, -1, 0, 1, int.MaxValue - 1, int.MaxValue })
        {
            for (int y = 0; y < 3; y++)
            {
                for (int z = 0; z < 3; z++)
                {
                    if ((x + y + z) % 2 == 0 || y == 1)
                    {
                        rows.AddRange([0, x, y, z]);
                    }
                }
            }
        }

        int[] coords = TestClouds.InKeyOrder(rows.ToArray());
        if (!inKeyOrder)
        {
            coords = Enumerable.Range(0, coords.Length / 4).Reverse()
                .SelectMany(r => coords.AsSpan(r * 4, 4).ToArray()).ToArray();
        }

        int[] expected = ReferenceKernelMap.Submanifold(coords, [3, 3, 3], [1, 1, 1]);
        Assert.Equal(expected, KernelMapBuilder.Submanifold(coords, 3, 1).OutInMap.ToArray());
        Assert.True(expected.Count(i => i >= 0) > 2 * coords.Length / 4, "neighbours besides the centre");
    }

    [Fact]
    public void Rejects_a_negative_batch_naming_the_row()
    {
        int[] coords = [0, 1, 1, 1, 0, 2, 1, 1, -1, 3, 1, 1];
        var e = Assert.Throws<InvalidCoordinatesException>(
            () => KernelMapBuilder.Submanifold(coords, 3, 1));
        Assert.Contains("row 2", e.Message);
    }

    [Fact]
    public void Rejects_non_positive_kernel_and_dilation()
    {
        int[] coords = [0, 0, 0, 0];
        var kernelError = Assert.Throws<ArgumentOutOfRangeException>(
            () => KernelMapBuilder.Submanifold(coords, new Int3(3, 0, 3), 1));
        Assert.Equal("kernel", kernelError.ParamName);
        var dilationError = Assert.Throws<ArgumentOutOfRangeException>(
            () => KernelMapBuilder.Submanifold(coords, 3, -1));
        Assert.Equal("dilation", dilationError.ParamName);
    }

    private static int[] Build(int[] coords, string kernel, int dilation) =>
        KernelMapBuilder.Submanifold(coords, CaseText.Int3(kernel), dilation)
            .OutInMap.ToArray();
}
