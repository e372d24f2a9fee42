using System.Numerics;
using TorchSparse.Coordinates;

namespace TorchSparse.Tests.Coordinates;

public class SparseQuantizeTests
{
    public static TheoryData<int, int, float, float, float, QuantizeMode, int> Clouds() => new()
    {
        { 0, 3, 1f, 1f, 1f, QuantizeMode.Floor, 0 },
        { 1, 3, 0.5f, 0.5f, 0.5f, QuantizeMode.Round, 0 },
        { 1000, 3, 0.25f, 0.25f, 0.25f, QuantizeMode.Floor, 0 },
        { 1000, 4, 0.05f, 0.05f, 0.05f, QuantizeMode.Round, 2 },
        { 5000, 4, 0.2f, 0.1f, 0.5f, QuantizeMode.Floor, 1 },
        { 5000, 5, 0.3f, 0.3f, 0.7f, QuantizeMode.Round, 0 },
        { 200_000, 4, 0.05f, 0.05f, 0.05f, QuantizeMode.Round, 0 },
        { 200_000, 3, 0.5f, 0.5f, 0.5f, QuantizeMode.Floor, 3 },
    };

    [Theory]
    [MemberData(nameof(Clouds))]
    public void Matches_a_sort_and_unique_reference(
        int n, int rowStride, float vx, float vy, float vz, QuantizeMode mode, int batch)
    {
        float[] points = RandomPoints(n, rowStride, seed: n + rowStride);
        var voxel = new Vector3(vx, vy, vz);
        var (coords, first, inverse) = Reference(points, rowStride, voxel, mode, batch);

        QuantizedCloud cloud = SparseQuantize.Quantize(points, rowStride, voxel, mode, batch);

        Assert.Equal(new[] { first.Length, 4 }, cloud.Coords.Shape);
        Assert.Equal(coords, cloud.Coords.ToArray<int>());
        Assert.Equal(first, cloud.FirstIndex);
        Assert.Equal(inverse, cloud.Inverse);
    }

    [Theory]
    [InlineData(0.5f, 0, 0)]
    [InlineData(1.5f, 2, 1)]
    [InlineData(2.5f, 2, 2)]
    [InlineData(-0.5f, 0, -1)]
    [InlineData(-1.5f, -2, -2)]
    [InlineData(-2.5f, -2, -3)]
    [InlineData(0.49999997f, 0, 0)]
    [InlineData(3.7f, 4, 3)]
    public void Round_is_half_to_even_and_floor_goes_down(float x, int rounded, int floored)
    {
        float[] point = [x, 0, 0];
        Assert.Equal(rounded, SparseQuantize.Quantize(point, 3, 1f, QuantizeMode.Round).Coords.ToArray<int>()[1]);
        Assert.Equal(floored, SparseQuantize.Quantize(point, 3, 1f, QuantizeMode.Floor).Coords.ToArray<int>()[1]);
    }

    [Fact]
    public void First_index_and_inverse_follow_input_order()
    {
        // Voxels (sorted): (0,0,0) from points 1 and 3, (0,0,1) from points 0 and 2.
        float[] points = [0.1f, 0.2f, 1.5f, 0.3f, 0.1f, 0.2f, 0.9f, 0.9f, 1.1f, 0.5f, 0.5f, 0.5f];
        QuantizedCloud cloud = SparseQuantize.Quantize(points, 3, 1f);
        Assert.Equal(new[] { 0, 0, 0, 0, 0, 0, 0, 1 }, cloud.Coords.ToArray<int>());
        Assert.Equal(new[] { 1, 0 }, cloud.FirstIndex);
        Assert.Equal(new[] { 1, 0, 1, 0 }, cloud.Inverse);
    }

    [Theory]
    [InlineData(float.NaN, 0, "x = NaN")]
    [InlineData(float.PositiveInfinity, 1, "y = Infinity")]
    [InlineData(float.NegativeInfinity, 2, "z = -Infinity")]
    [InlineData(3e9f, 0, "outside int32")]
    [InlineData(-3e9f, 2, "outside int32")]
    public void Bad_points_are_rejected_naming_the_row_and_axis(float value, int axis, string expected)
    {
        float[] points = RandomPoints(50_000, 4, seed: 1);
        points[(31_337 * 4) + axis] = value;
        points[(40_000 * 4) + axis] = value;
        var e = Assert.Throws<InvalidCoordinatesException>(() => SparseQuantize.Quantize(points, 4, 1f));
        Assert.Contains("row 31337", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_tiny_voxel_that_overflows_int32_is_rejected()
    {
        var e = Assert.Throws<InvalidCoordinatesException>(() => SparseQuantize.Quantize([1f, 2f, 3f], 3, 1e-9f));
        Assert.Contains("row 0", e.Message);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-0.1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Bad_voxel_sizes_are_rejected(float voxel)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SparseQuantize.Quantize([1f, 2f, 3f], 3, voxel));
        Assert.Equal("voxelSize", e.ParamName);
    }

    [Fact]
    public void Bad_shapes_and_batch_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SparseQuantize.Quantize([1f, 2f], 2, 1f));
        Assert.Throws<ShapeMismatchException>(() => SparseQuantize.Quantize([1f, 2f, 3f, 4f], 3, 1f));
        var e = Assert.Throws<InvalidCoordinatesException>(
            () => SparseQuantize.Quantize([1f, 2f, 3f], 3, 1f, batch: -1));
        Assert.Contains("-1", e.Message);
    }

    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        float[] points = RandomPoints(150_000, 4, seed: 5);
        float[] feats = points.Select(v => v * 3.1f).ToArray();
        QuantizedCloud one, many;
        float[] meansOne, meansMany;
        using (ParallelWork.LimitThreads(1))
        {
            one = SparseQuantize.Quantize(points, 4, 0.1f, QuantizeMode.Round);
            meansOne = SparseQuantize.VoxelizeMean(one, feats, 4).ToArray<float>();
        }

        using (ParallelWork.LimitThreads(5))
        {
            many = SparseQuantize.Quantize(points, 4, 0.1f, QuantizeMode.Round);
            meansMany = SparseQuantize.VoxelizeMean(many, feats, 4).ToArray<float>();
        }

        Assert.Equal(one.Coords.ToArray<int>(), many.Coords.ToArray<int>());
        Assert.Equal(one.FirstIndex, many.FirstIndex);
        Assert.Equal(one.Inverse, many.Inverse);
        Assert.Equal(meansOne, meansMany);
    }

    [Fact]
    public void VoxelizeMean_averages_the_points_of_each_voxel()
    {
        float[] points = RandomPoints(3000, 3, seed: 2);
        float[] feats = Enumerable.Range(0, 3000 * 2).Select(i => (float)Math.Sin(i)).ToArray();
        QuantizedCloud cloud = SparseQuantize.Quantize(points, 3, 2f);
        float[] means = SparseQuantize.VoxelizeMean(cloud, feats, 2).ToArray<float>();

        for (int voxel = 0; voxel < cloud.Count; voxel++)
        {
            int[] members = Enumerable.Range(0, 3000).Where(p => cloud.Inverse[p] == voxel).ToArray();
            for (int c = 0; c < 2; c++)
            {
                double expected = members.Select(p => (double)feats[(p * 2) + c]).Sum() / members.Length;
                Assert.Equal((float)expected, means[(voxel * 2) + c]);
            }
        }

        Assert.Throws<ShapeMismatchException>(() => SparseQuantize.VoxelizeMean(cloud, feats.AsSpan(1), 2));
    }

    [Fact]
    public void Collate_sets_the_batch_column_and_concatenates()
    {
        Tensor c0 = Tensor.From(new[] { 9, 1, 2, 3, 9, 4, 5, 6 }, 2, 4);
        Tensor f0 = Tensor.From(new[] { 1f, 2f, 3f, 4f }, 2, 2);
        Tensor c1 = Tensor.From(new[] { 7, 8, 9 }, 1, 3);
        Tensor f1 = Tensor.From(new[] { 5f, 6f }, 1, 2);

        (Tensor coords, Tensor feats) = SparseQuantize.Collate([(c0, f0), (c1, f1)]);

        Assert.Equal(new[] { 0, 1, 2, 3, 0, 4, 5, 6, 1, 7, 8, 9 }, coords.ToArray<int>());
        Assert.Equal(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, feats.ToArray<float>());
        Assert.Equal(new[] { 3, 2 }, feats.Shape);
    }

    [Fact]
    public void Collate_rejects_mismatched_samples()
    {
        Tensor c0 = Tensor.From(new[] { 0, 1, 2, 3 }, 1, 4);
        Assert.Throws<ShapeMismatchException>(() => SparseQuantize.Collate(
            [(c0, Tensor.From(new[] { 1f, 2f }, 1, 2)), (c0, Tensor.From(new[] { 1f, 2f, 3f }, 1, 3))]));
        Assert.Throws<DTypeMismatchException>(() => SparseQuantize.Collate(
            [(c0, Tensor.From(new[] { 1f }, 1, 1)), (c0, Tensor.From(new[] { 1 }, 1, 1))]));
        Assert.Throws<ArgumentException>(() => SparseQuantize.Collate([]));
    }

    private static float[] RandomPoints(int n, int rowStride, int seed)
    {
        var random = new Random(seed);
        var points = new float[n * rowStride];
        for (int i = 0; i < points.Length; i++)
        {
            // A few exact half-voxel values exercise the rounding ties.
            points[i] = random.Next(10) == 0 ? random.Next(-40, 40) * 0.5f : (float)((random.NextDouble() * 40) - 20);
        }

        return points;
    }

    // Quantize each point, then sort and unique the rows, with LINQ and the .NET rounding the spec names.
    private static (int[] Coords, int[] First, int[] Inverse) Reference(
        float[] points, int rowStride, Vector3 voxel, QuantizeMode mode, int batch)
    {
        int n = points.Length / rowStride;
        var rows = new (int B, int X, int Y, int Z)[n];
        for (int p = 0; p < n; p++)
        {
            int Q(int axis)
            {
                double scaled = points[(p * rowStride) + axis] / voxel[axis];
                double whole = mode == QuantizeMode.Floor
                    ? Math.Floor(scaled)
                    : Math.Round(scaled, MidpointRounding.ToEven);
                return (int)whole;
            }

            rows[p] = (batch, Q(0), Q(1), Q(2));
        }

        var firstPoint = new Dictionary<(int B, int X, int Y, int Z), int>();
        for (int p = 0; p < n; p++)
        {
            firstPoint.TryAdd(rows[p], p);
        }

        var unique = firstPoint.Keys.OrderBy(r => r).ToList();
        var index = unique.Select((r, i) => (r, i)).ToDictionary(t => t.r, t => t.i);
        int[] first = unique.Select(u => firstPoint[u]).ToArray();
        int[] inverse = rows.Select(r => index[r]).ToArray();
        return (unique.SelectMany(r => new[] { r.B, r.X, r.Y, r.Z }).ToArray(), first, inverse);
    }
}
