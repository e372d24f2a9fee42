namespace TorchSparse.Tests.Oracles;

/// <summary>Small hand-checkable cases for the dense reference, independent of the PyTorch fixtures.</summary>
public class DenseReferenceTests
{
    [Fact]
    public void Odd_kernel_offsets_are_x_fastest_and_centred()
    {
        // models.md 0.2: k = (dx+1) + 3(dy+1) + 9(dz+1) for a 3^3 kernel, j = d + 1.
        for (int dx = -1; dx <= 1; dx++)
        {
            for (int dy = -1; dy <= 1; dy++)
            {
                for (int dz = -1; dz <= 1; dz++)
                {
                    int expected = dx + 1 + (3 * (dy + 1)) + (9 * (dz + 1));
                    Assert.Equal(expected, DenseReference.FlatOffsetIndex(dx + 1, dy + 1, dz + 1, 3));
                }
            }
        }
    }

    [Fact]
    public void Even_kernel_offsets_are_z_fastest()
    {
        // models.md 0.2: k = 4dx + 2dy + dz for a 2^3 kernel.
        Assert.Equal(4, DenseReference.FlatOffsetIndex(1, 0, 0, 2));
        Assert.Equal(2, DenseReference.FlatOffsetIndex(0, 1, 0, 2));
        Assert.Equal(1, DenseReference.FlatOffsetIndex(0, 0, 1, 2));
        Assert.Equal(7, DenseReference.FlatOffsetIndex(1, 1, 1, 2));
    }

    [Fact]
    public void Submanifold_odd_kernel_reads_the_neighbour_through_its_offset_weight()
    {
        // Voxel q=(1,1,1) with value 2 and its +x neighbour (2,1,1) with value 5; W[k] = k + 1 (1 channel).
        int[] coords = [0, 1, 1, 1, 0, 2, 1, 1];
        float[] feats = [2, 5];
        var conv = new ReferenceConv(3, 1, 1, 1, 1, 1, Enumerable.Range(1, 27).Select(v => (float)v).ToArray());
        double[] result = SparseConvReference.Submanifold(conv, coords, feats, 1, new Int3(3, 3, 3));
        // out[q] = 2*W[13] + 5*W[14] (centre 13, +x 14); out[n] = 5*W[13] + 2*W[12] (-x 12).
        Assert.Equal([(2 * 14) + (5 * 15), (5 * 14) + (2 * 13)], result);
    }

    [Fact]
    public void Submanifold_even_kernel_looks_only_forward()
    {
        // k=2: offsets 0 and +1 per axis. The lower voxel sees the upper one through W[4] (+x); not vice versa.
        int[] coords = [0, 0, 0, 0, 0, 1, 0, 0];
        float[] feats = [1, 10];
        var conv = new ReferenceConv(2, 1, 1, 0, 1, 1, [1, 2, 3, 4, 5, 6, 7, 8]);
        double[] result = SparseConvReference.Submanifold(conv, coords, feats, 1, new Int3(2, 1, 1));
        Assert.Equal([(1 * 1) + (10 * 5), 10 * 1], result);
    }

    [Fact]
    public void Downsample_k2_s2_sums_a_block_with_per_position_weights()
    {
        int[] coords = [0, 2, 3, 0, 0, 3, 2, 1, 1, 0, 0, 0];
        float[] feats = [1, 10, 100];
        var conv = new ReferenceConv(2, 2, 1, 0, 1, 1, [1, 2, 3, 4, 5, 6, 7, 8]);
        SparseVoxels result = SparseConvReference.Downsample(conv, coords, feats, 2, new Int3(4, 4, 2));
        // Batch 0: (2,3,0) and (3,2,1) fall into block (1,1,0) at positions (0,1,0)->2 and (1,0,1)->5.
        Assert.Equal([0, 1, 1, 0, 1, 0, 0, 0], result.Coords);
        Assert.Equal([(1 * 3) + (10 * 6), 100 * 1], result.Feats);
    }

    [Fact]
    public void Generative_k2_s2_spreads_one_voxel_over_its_block()
    {
        var conv = new ReferenceConv(2, 2, 1, 0, 1, 1, [1, 2, 3, 4, 5, 6, 7, 8]);
        SparseVoxels result = SparseConvReference.Generative(conv, [0, 1, 0, 0], [3], 1, new Int3(2, 1, 1));
        Assert.Equal(8, result.Count);
        for (int row = 0; row < 8; row++)
        {
            int jx = result.Coords[(row * 4) + 1] - 2, jy = result.Coords[(row * 4) + 2], jz = result.Coords[(row * 4) + 3];
            Assert.Equal(3.0 * (DenseReference.FlatOffsetIndex(jx, jy, jz, 2) + 1), result.Feats[row]);
        }
    }

    [Theory]
    [InlineData(3, 2, 1)]
    [InlineData(2, 2, 0)]
    [InlineData(5, 2, 1)]
    [InlineData(3, 3, 0)]
    public void Inverse_is_the_adjoint_of_the_matching_downsample(int k, int s, int p)
    {
        // <Down(x), y> = <x, Inverse(y)> for one channel: both apply the same pairs with the same weights.
        var random = new Random(k * 100 + s * 10 + p);
        int[] fine = RandomCoords(random, 60, 2, 9);
        var grid = SparseConvReference.Extent(fine);
        float[] weight = [.. Enumerable.Range(0, k * k * k).Select(_ => (float)random.NextDouble() - 0.5f)];
        var conv = new ReferenceConv(k, s, 1, p, 1, 1, weight);
        float[] x = [.. Enumerable.Range(0, fine.Length / 4).Select(_ => (float)random.NextDouble())];
        SparseVoxels down = SparseConvReference.Downsample(conv, fine, x, 2, grid);
        float[] y = [.. Enumerable.Range(0, down.Count).Select(_ => (float)random.NextDouble())];
        double[] up = SparseConvReference.Inverse(conv, down.Coords, y, fine, 2, grid);

        double left = down.Feats.Select((v, i) => v * y[i]).Sum();
        double right = up.Select((v, i) => v * x[i]).Sum();
        Assert.Equal(left, right, 1e-9);
    }

    private static int[] RandomCoords(Random random, int count, int batches, int size)
    {
        var cells = new HashSet<(int, int, int, int)>();
        while (cells.Count < count)
        {
            cells.Add((random.Next(batches), random.Next(size), random.Next(size), random.Next(size)));
        }

        return [.. cells.SelectMany(c => new[] { c.Item1, c.Item2, c.Item3, c.Item4 })];
    }
}
