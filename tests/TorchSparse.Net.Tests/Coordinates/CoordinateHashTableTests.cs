using TorchSparse.Coordinates;
using TorchSparse.Tests.Oracles;

namespace TorchSparse.Tests.Coordinates;

public class CoordinateHashTableTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(50_000)]
    public void Build_finds_every_row_and_nothing_else(int n)
    {
        int[] coords = TestClouds.Random(n, batches: 3, grid: 60, seed: n);
        CoordinateHashTable table = CoordinateHashTable.Build(coords);

        Assert.Equal(n, table.Count);
        Assert.True(table.Capacity >= 2 * n && int.IsPow2(table.Capacity));
        for (int row = 0; row < n; row++)
        {
            var (b, x, y, z) = Row(coords, row);
            Assert.Equal(row, table.Find(b, x, y, z));
        }

        var present = new HashSet<(int, int, int, int)>(
            Enumerable.Range(0, n).Select(r => Row(coords, r)));
        var random = new Random(1);
        for (int i = 0; i < 2000; i++)
        {
            var q = (random.Next(3), random.Next(60), random.Next(60), random.Next(60));
            if (!present.Contains(q))
            {
                Assert.Equal(-1, table.Find(q.Item1, q.Item2, q.Item3, q.Item4));
            }
        }
    }

    [Fact]
    public void Duplicates_keep_the_smallest_row_sequentially_and_in_parallel()
    {
        int[] unique = TestClouds.Random(40_000, batches: 2, grid: 50, seed: 4);
        int[] coords = TestClouds.WithDuplicates(unique, copies: 5000, seed: 2);
        var first = new Dictionary<(int, int, int, int), int>();
        for (int r = 0; r < coords.Length / 4; r++)
        {
            first.TryAdd((coords[r * 4], coords[(r * 4) + 1], coords[(r * 4) + 2], coords[(r * 4) + 3]), r);
        }

        foreach (int threads in new[] { 1, 2, 7 })
        {
            using (ParallelWork.LimitThreads(threads))
            {
                CoordinateHashTable table = CoordinateHashTable.Build(coords);
                Assert.Equal(first.Count, table.Count);
                foreach (var ((b, x, y, z), row) in first)
                {
                    Assert.Equal(row, table.Find(b, x, y, z));
                }
            }
        }
    }

    [Fact]
    public void Parallel_build_answers_like_a_sequential_build()
    {
        int[] coords = TestClouds.WithDuplicates(TestClouds.Random(60_000, 2, 64, seed: 8), 2000, seed: 3);
        int[] queries = TestClouds.Random(60_000, 2, 70, seed: 9);
        int[] sequential = new int[queries.Length / 4], parallel = new int[queries.Length / 4];
        using (ParallelWork.LimitThreads(1))
        {
            CoordinateHashTable.Build(coords).FindMany(queries, sequential);
        }

        using (ParallelWork.LimitThreads(4))
        {
            CoordinateHashTable.Build(coords).FindMany(queries, parallel);
        }

        Assert.Equal(sequential, parallel);
        Assert.Contains(sequential, row => row >= 0);
        Assert.Contains(sequential, row => row < 0);
    }

    [Fact]
    public void Insert_grows_capacity_and_widens_bounds()
    {
        CoordinateHashTable table = CoordinateHashTable.Create(default, new Coordinate(0, 3, 3, 3));
        int initialCapacity = table.Capacity;
        var inserted = new List<(int, int, int, int)>();
        var random = new Random(5);
        for (int row = 0; row < 5000; row++)
        {
            var c = (random.Next(4), random.Next(-300, 300), random.Next(-300, 300), random.Next(-30, 30));
            bool isNew = !inserted.Contains(c);
            Assert.Equal(isNew, table.Insert(c.Item1, c.Item2, c.Item3, c.Item4, row));
            if (isNew)
            {
                inserted.Add(c);
            }

            Assert.True(table.Count * 2 <= table.Capacity);
        }

        Assert.True(table.Capacity > initialCapacity);
        Assert.Equal(inserted.Count, table.Count);
        Assert.True(table.Min.X < 0 && table.Max.X > 3);
        for (int row = 0; row < inserted.Count; row++)
        {
            var (b, x, y, z) = inserted[row];
            Assert.True(table.Find(b, x, y, z) >= 0);
        }
    }

    [Fact]
    public void Insert_of_a_duplicate_lowers_the_row_but_never_raises_it()
    {
        CoordinateHashTable table = CoordinateHashTable.Create(default, new Coordinate(0, 9, 9, 9));
        Assert.True(table.Insert(0, 1, 2, 3, 7));
        Assert.False(table.Insert(0, 1, 2, 3, 9));
        Assert.Equal(7, table.Find(0, 1, 2, 3));
        Assert.False(table.Insert(0, 1, 2, 3, 2));
        Assert.Equal(2, table.Find(0, 1, 2, 3));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void Distinct_coordinates_sharing_a_home_slot_never_alias()
    {
        // Collect coordinates whose exact keys land in the same home slot; each must still find only its own row, and
        // an absent coordinate from the same slot must miss.
        int[] all = TestClouds.Random(4096, 1, 16, seed: 1);
        CoordinateHashTable probe = CoordinateHashTable.Build(all);
        var bySlot = Enumerable.Range(0, all.Length / 4)
            .GroupBy(r =>
            {
                var (b, x, y, z) = Row(all, r);
                return probe.SlotOf(probe.Keyer.Encode(b, x, y, z));
            })
            .First(g => g.Count() >= 3)
            .ToArray();

        int[] present = bySlot[..^1].SelectMany(r => all.AsSpan(r * 4, 4).ToArray()).ToArray();
        int[] absent = all.AsSpan(bySlot[^1] * 4, 4).ToArray();
        CoordinateHashTable table = CoordinateHashTable.Create(probe.Min, probe.Max, expectedCount: 4096);
        Assert.Equal(probe.Capacity, table.Capacity);
        for (int row = 0; row < present.Length / 4; row++)
        {
            table.Insert(present[row * 4], present[(row * 4) + 1], present[(row * 4) + 2], present[(row * 4) + 3], row);
        }

        for (int row = 0; row < present.Length / 4; row++)
        {
            var (b, x, y, z) = Row(present, row);
            Assert.Equal(row, table.Find(b, x, y, z));
        }

        Assert.Equal(-1, table.Find(absent[0], absent[1], absent[2], absent[3]));
    }

    [Fact]
    public void Queries_outside_the_bounds_miss_even_at_int32_extremes()
    {
        int[] coords = [0, int.MinValue, 0, 7, 2, int.MaxValue, 5, 0];
        CoordinateHashTable table = CoordinateHashTable.Build(coords);
        Assert.Equal(0, table.Find(0, int.MinValue, 0, 7));
        Assert.Equal(1, table.Find(2, int.MaxValue, 5, 0));
        Assert.Equal(-1, table.Find(3, 0, 0, 0));
        Assert.Equal(-1, table.Find(0, 0, 6, 0));
        Assert.Equal(-1, table.Find(0, int.MinValue, 0, int.MinValue));

        var rows = new int[2];
        table.FindMany(coords, new Int3(0, 0, int.MaxValue), rows);
        Assert.Equal(new[] { -1, -1 }, rows);
    }

    [Fact]
    public void Key_space_too_large_for_int64_is_rejected_naming_the_extents()
    {
        int[] coords = [0, int.MinValue, int.MinValue, int.MinValue, 1, int.MaxValue, int.MaxValue, int.MaxValue];
        var e = Assert.Throws<SparseEngineException>(() => CoordinateHashTable.Build(coords));
        Assert.Contains("x 4294967296", e.Message);
    }

    [Fact]
    public void FindMany_with_displacement_matches_single_finds()
    {
        int[] coords = TestClouds.Random(20_000, 2, 30, seed: 12);
        CoordinateHashTable table = CoordinateHashTable.Build(coords);
        var rows = new int[coords.Length / 4];
        table.FindMany(coords, new Int3(1, -1, 2), rows);
        for (int r = 0; r < rows.Length; r++)
        {
            var (b, x, y, z) = Row(coords, r);
            Assert.Equal(table.Find(b, x + 1, y - 1, z + 2), rows[r]);
        }
    }

    private static (int B, int X, int Y, int Z) Row(int[] coords, int row) =>
        (coords[row * 4], coords[(row * 4) + 1], coords[(row * 4) + 2], coords[(row * 4) + 3]);
}
