using TorchSparse.Functional;

namespace TorchSparse.Tests.Ops;

public class SparseOpsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(37)]
    public void Relu_and_LeakyRelu_match_their_definitions(int count)
    {
        SparseTensor x = RandomClouds.Make(1, count, 5);
        float[] input = x.Feats.ToArray<float>();
        float[] relu = SparseOps.Relu(x).Feats.ToArray<float>();
        float[] leaky = SparseOps.LeakyRelu(x, 0.1f).Feats.ToArray<float>();
        for (int i = 0; i < input.Length; i++)
        {
            Assert.Equal(Math.Max(input[i], 0f), relu[i]);
            Assert.Equal(input[i] > 0 ? input[i] : input[i] * 0.1f, leaky[i]);
        }

        Assert.Equal(input, x.Feats.ToArray<float>()); // the input is untouched
    }

    [Fact]
    public void Add_sums_features_and_keeps_coordinates()
    {
        SparseTensor a = RandomClouds.Make(2, 50, 7);
        SparseTensor b = a.WithFeats(Tensor.From(RandomClouds.Values(new Random(3), 350), 50, 7));
        SparseTensor sum = SparseOps.Add(a, b);
        float[] fa = a.Feats.ToArray<float>(), fb = b.Feats.ToArray<float>(), fs = sum.Feats.ToArray<float>();
        for (int i = 0; i < fs.Length; i++)
        {
            Assert.Equal(fa[i] + fb[i], fs[i]);
        }

        Assert.Same(a.Coords, sum.Coords);
    }

    [Fact]
    public void Add_rejects_different_coordinates()
    {
        SparseTensor a = RandomClouds.Make(2, 50, 7);
        SparseTensor b = RandomClouds.Make(9, 50, 7);
        var e = Assert.Throws<ShapeMismatchException>(() => SparseOps.Add(a, b));
        Assert.Contains("identical coordinates", e.Message);
    }

    [Fact]
    public void Cat_puts_channels_side_by_side_in_argument_order()
    {
        SparseTensor a = RandomClouds.Make(4, 20, 3);
        SparseTensor b = a.WithFeats(Tensor.From(RandomClouds.Values(new Random(5), 100), 20, 5));
        float[] cat = SparseOps.Cat(a, b).Feats.ToArray<float>();
        float[] fa = a.Feats.ToArray<float>(), fb = b.Feats.ToArray<float>();
        for (int r = 0; r < 20; r++)
        {
            Assert.Equal(fa.AsSpan(r * 3, 3).ToArray(), cat.AsSpan(r * 8, 3).ToArray());
            Assert.Equal(fb.AsSpan(r * 5, 5).ToArray(), cat.AsSpan((r * 8) + 3, 5).ToArray());
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Global_pools_match_a_per_batch_loop(int batches)
    {
        SparseTensor x = RandomClouds.Make(6, 300, 4, grid: 10, batches: batches);
        int[] c = x.Coords.ToArray<int>();
        float[] f = x.Feats.ToArray<float>();
        float[] avg = Pooling.GlobalAvgPool(x).ToArray<float>();
        float[] max = Pooling.GlobalMaxPool(x).ToArray<float>();
        for (int b = 0; b < batches; b++)
        {
            for (int ch = 0; ch < 4; ch++)
            {
                var values = Enumerable.Range(0, 300).Where(r => c[r * 4] == b).Select(r => (double)f[(r * 4) + ch]).ToList();
                Assert.Equal(values.Average(), avg[(b * 4) + ch], 5);
                Assert.Equal(values.Max(), max[(b * 4) + ch], 6);
            }
        }
    }

    [Fact]
    public void ToDense_places_every_row_and_leaves_zeros_elsewhere()
    {
        SparseTensor x = RandomClouds.Make(7, 100, 3, grid: 6, batches: 2);
        Tensor dense = DenseOps.ToDense(x, new Int3(6, 6, 6));
        Assert.Equal(new[] { 2, 6, 6, 6, 3 }, dense.Shape);
        float[] d = dense.ToArray<float>();
        int[] c = x.Coords.ToArray<int>();
        float[] f = x.Feats.ToArray<float>();
        var occupied = new HashSet<int>();
        for (int r = 0; r < 100; r++)
        {
            int cell = (((((c[r * 4] * 6) + c[(r * 4) + 1]) * 6) + c[(r * 4) + 2]) * 6) + c[(r * 4) + 3];
            occupied.Add(cell);
            Assert.Equal(f.AsSpan(r * 3, 3).ToArray(), d.AsSpan(cell * 3, 3).ToArray());
        }

        for (int cell = 0; cell < 2 * 216; cell++)
        {
            if (!occupied.Contains(cell))
            {
                Assert.All(d.AsSpan(cell * 3, 3).ToArray(), v => Assert.Equal(0f, v));
            }
        }
    }

    [Fact]
    public void ToDense_rejects_rows_outside_the_grid()
    {
        SparseTensor x = RandomClouds.Make(7, 10, 1, grid: 6);
        var e = Assert.Throws<InvalidCoordinatesException>(() => DenseOps.ToDense(x, new Int3(2, 2, 2)));
        Assert.Contains("outside the grid", e.Message);
    }

    [Theory]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.Max)]
    [InlineData(Reduction.Mean)]
    public void ToBev_reduces_columns_like_a_group_by(Reduction reduction)
    {
        SparseTensor x = RandomClouds.Make(8, 400, 2, grid: 8, batches: 2);
        SparseTensor bev = DenseOps.ToBev(x, axis: 2, reduction);
        int[] c = x.Coords.ToArray<int>();
        float[] f = x.Feats.ToArray<float>();
        var expected = Enumerable.Range(0, 400)
            .GroupBy(r => (c[r * 4], c[(r * 4) + 1], c[(r * 4) + 2]))
            .OrderBy(g => g.Key)
            .ToList();
        Assert.Equal(expected.Count, bev.Count);
        int[] bc = bev.Coords.ToArray<int>();
        float[] bf = bev.Feats.ToArray<float>();
        for (int g = 0; g < expected.Count; g++)
        {
            Assert.Equal(new[] { expected[g].Key.Item1, expected[g].Key.Item2, expected[g].Key.Item3, 0 }, bc.AsSpan(g * 4, 4).ToArray());
            for (int ch = 0; ch < 2; ch++)
            {
                var values = expected[g].Select(r => (double)f[(r * 2) + ch]).ToList();
                double want = reduction switch
                {
                    Reduction.Sum => values.Sum(),
                    Reduction.Max => values.Max(),
                    _ => values.Average(),
                };
                Assert.Equal(want, bf[(g * 2) + ch], 5);
            }
        }
    }
}
