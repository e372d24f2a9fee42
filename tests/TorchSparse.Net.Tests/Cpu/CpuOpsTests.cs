using TorchSparse.Backends.Cpu;

namespace TorchSparse.Tests.Cpu;

/// <summary>
/// Every op against a scalar loop written here. Element-wise ops round once per element exactly like the scalar
/// code, so results must match bit for bit (NaN only by NaN-ness). Lengths 0..70 cover every register width's
/// main loop and overlapping tail; the large cases cross the threshold where work is split across threads.
/// </summary>
[Trait("Category", "Simd")]
public class CpuOpsTests
{
    private const int Large = (1 << 20) + 7;

    public static TheoryData<int> Lengths()
    {
        var data = new TheoryData<int>();
        for (int length = 0; length <= 70; length++)
        {
            data.Add(length);
        }

        data.Add(Large);
        return data;
    }

    public static TheoryData<int> Channels()
    {
        var data = new TheoryData<int>();
        for (int channels = 1; channels <= 70; channels++)
        {
            data.Add(channels);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Relu_matches_scalar(int length)
    {
        float[] x = Values(length, 1);
        float[] expected = x.Select(v => MathF.Max(v, 0f)).ToArray();
        CpuOps.Relu(x);
        AssertSame(expected, x, $"relu length {length}");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void LeakyRelu_matches_scalar(int length)
    {
        const float Slope = 0.1f;
        float[] x = Values(length, 2);
        float[] expected = x.Select(v => v >= 0 ? v : Slope * v).ToArray();
        CpuOps.LeakyRelu(x, Slope);
        AssertSame(expected, x, $"leaky relu length {length}");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Add_matches_scalar_and_leaves_the_rest_of_the_destination_alone(int length)
    {
        float[] x = Values(length, 3);
        float[] y = Values(length, 4);
        float[] destination = Enumerable.Repeat(7f, length + 5).ToArray();
        CpuOps.Add(x, y, destination);
        float[] expected = x.Zip(y, (a, b) => a + b).Concat(Enumerable.Repeat(7f, 5)).ToArray();
        AssertSame(expected, destination, $"add length {length}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(Large)]
    public void Add_works_in_place(int length)
    {
        float[] x = Values(length, 5);
        float[] y = Values(length, 6);
        float[] expected = x.Zip(y, (a, b) => a + b).ToArray();
        CpuOps.Add(x, y, x);
        AssertSame(expected, x, $"add in place length {length}");
    }

    [Theory]
    [MemberData(nameof(Channels))]
    [InlineData(64 * 1024 + 3)]
    public void ChannelAffine_matches_scalar(int channels)
    {
        int rows = channels > 1000 ? 9 : 5;
        float[] x = Values(rows * channels, 7);
        float[] scale = Values(channels, 8);
        float[] shift = Values(channels, 9);
        float[] expected = x.Select((v, i) => (v * scale[i % channels]) + shift[i % channels]).ToArray();
        CpuOps.ChannelAffine(x, channels, scale, shift);
        AssertSame(expected, x, $"affine channels {channels}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(100_003)]
    public void AddRelu_matches_scalar(int length)
    {
        float[] x = Values(length, 5);
        float[] y = Values(length, 6);
        float[] expected = x.Zip(y, (a, b) => MathF.Max(a + b, 0f)).ToArray();
        var destination = new float[length];
        CpuOps.Add(x, y, destination, relu: true);
        AssertSame(expected, destination, $"add + relu length {length}");
    }

    [Theory]
    [MemberData(nameof(Channels))]
    [InlineData(64 * 1024 + 3)]
    public void ChannelAffine_with_relu_matches_scalar(int channels)
    {
        int rows = channels > 1000 ? 9 : 5;
        float[] x = Values(rows * channels, 7);
        float[] scale = Values(channels, 8);
        float[] shift = Values(channels, 9);
        float[] expected = x.Select((v, i) => MathF.Max((v * scale[i % channels]) + shift[i % channels], 0f)).ToArray();
        CpuOps.ChannelAffine(x, channels, scale, shift, relu: true);
        AssertSame(expected, x, $"affine + relu channels {channels}");
    }

    [Theory]
    [MemberData(nameof(Channels))]
    [InlineData(300_000)]
    public void GatherRows_matches_scalar(int channels)
    {
        int sourceRows = channels > 1000 ? 3 : 11;
        int count = channels > 1000 ? 5 : 29;
        float[] source = Values(sourceRows * channels, 10);
        var rng = new Random(11);
        int[] index = Enumerable.Range(0, count).Select(_ => rng.Next(sourceRows)).ToArray();
        float[] destination = new float[count * channels];
        CpuOps.GatherRows(source, channels, index, destination);
        float[] expected = index.SelectMany(r => source.AsSpan(r * channels, channels).ToArray()).ToArray();
        AssertSame(expected, destination, $"gather channels {channels}");
    }

    [Theory]
    [MemberData(nameof(Channels))]
    [InlineData(300_000)]
    public void ScatterAddRows_matches_scalar_and_leaves_other_rows_alone(int channels)
    {
        int destinationRows = channels > 1000 ? 6 : 31;
        int count = channels > 1000 ? 4 : 20;
        float[] source = Values(count * channels, 12);
        float[] destination = Values(destinationRows * channels, 13);
        int[] index = GemmReference.Permutation(destinationRows, 14)[..count];
        float[] expected = (float[])destination.Clone();
        for (int i = 0; i < count; i++)
        {
            for (int c = 0; c < channels; c++)
            {
                expected[(index[i] * channels) + c] += source[(i * channels) + c];
            }
        }

        CpuOps.ScatterAddRows(source, channels, index, destination);
        AssertSame(expected, destination, $"scatter-add channels {channels}");
    }

    /// <summary>
    /// Column sums add rows in order within blocks of <see cref="CpuOps.ColumnSumBlockRows"/>, then the block sums in
    /// order; the scalar loop here does exactly that, so the bits must match whatever the width and thread split.
    /// </summary>
    [Theory]
    [MemberData(nameof(Channels))]
    public void ColumnSums_matches_the_blocked_scalar_order(int channels)
    {
        foreach (int rows in new[] { 0, 1, CpuOps.ColumnSumBlockRows, (2 * CpuOps.ColumnSumBlockRows) + 5 })
        {
            float[] values = Values(rows * channels, 30);
            float[] sums = Values(channels, 31);
            CpuOps.ColumnSums(values, channels, sums);
            AssertSame(ScalarColumnSums(values, rows, channels), sums, $"column sums {rows} x {channels}");
        }
    }

    [Fact]
    public void ColumnSums_of_a_large_split_input_match_the_scalar_order()
    {
        // Large enough to run on several threads.
        const int Rows = 300_001;
        const int Columns = 16;
        float[] values = Values(Rows * Columns, 32);
        float[] sums = new float[Columns];
        CpuOps.ColumnSums(values, Columns, sums);
        AssertSame(ScalarColumnSums(values, Rows, Columns), sums, "large column sums");
    }

    private static float[] ScalarColumnSums(float[] values, int rows, int channels)
    {
        var total = new float[channels];
        for (int first = 0; first < rows; first += CpuOps.ColumnSumBlockRows)
        {
            var block = new float[channels];
            for (int r = first; r < Math.Min(rows, first + CpuOps.ColumnSumBlockRows); r++)
            {
                for (int c = 0; c < channels; c++)
                {
                    block[c] = r == first ? values[(r * channels) + c] : block[c] + values[(r * channels) + c];
                }
            }

            for (int c = 0; c < channels; c++)
            {
                total[c] = first == 0 ? block[c] : total[c] + block[c];
            }
        }

        return total;
    }

    [Fact]
    public void Row_ops_with_no_rows_do_nothing()
    {
        float[] destination = [1, 2, 3];
        CpuOps.GatherRows([4, 5, 6], 3, [], []);
        CpuOps.ScatterAddRows([], 3, [], destination);
        CpuOps.ChannelAffine([], 3, [1, 1, 1], [0, 0, 0]);
        Assert.Equal([1f, 2, 3], destination);
    }

    [Fact]
    public void Ops_reject_bad_arguments()
    {
        float[] six = new float[6];
        Assert.Throws<ShapeMismatchException>(() => CpuOps.Add(six, new float[5], new float[6]));
        Assert.Throws<ShapeMismatchException>(() => CpuOps.Add(six, six, new float[5]));
        Assert.Equal("x", Assert.Throws<ArgumentException>(
            () => CpuOps.Add(six.AsSpan(1), six.AsSpan(1), six.AsSpan(0, 5))).ParamName);
        Assert.Equal("channels", Assert.Throws<ArgumentOutOfRangeException>(
            () => CpuOps.ChannelAffine(six, 0, [], [])).ParamName);
        Assert.Throws<ShapeMismatchException>(() => CpuOps.ChannelAffine(six, 4, new float[4], new float[4]));
        Assert.Throws<ShapeMismatchException>(() => CpuOps.ChannelAffine(six, 3, new float[3], new float[2]));
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(
            () => CpuOps.GatherRows(six, 3, [0, 2], new float[6])).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(
            () => CpuOps.GatherRows(six, 3, [-1], new float[3])).ParamName);
        Assert.Throws<ShapeMismatchException>(() => CpuOps.GatherRows(six, 3, [0, 1], new float[5]));
        Assert.Equal("source", Assert.Throws<ArgumentException>(
            () => CpuOps.GatherRows(six, 3, [0], six.AsSpan(3))).ParamName);
        Assert.Throws<ShapeMismatchException>(() => CpuOps.ScatterAddRows(new float[4], 3, [0], six));
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(
            () => CpuOps.ScatterAddRows(new float[3], 3, [2], six)).ParamName);
    }

    /// <summary>Seeded values in [-1, 1) with a NaN, an infinity, both zeros and a tiny subnormal mixed in.</summary>
    private static float[] Values(int length, int seed)
    {
        var rng = new Random(seed);
        float[] values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (rng.NextSingle() * 2) - 1;
        }

        float[] specials = [float.NaN, float.NegativeInfinity, -0f, 0f, 1e-40f];
        for (int i = 0; i < specials.Length && (i * 7) + 3 < length; i++)
        {
            values[(i * 7) + 3] = specials[i];
        }

        return values;
    }

    private static void AssertSame(float[] expected, float[] actual, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            bool same = float.IsNaN(expected[i])
                ? float.IsNaN(actual[i])
                : BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]);
            Assert.True(same, $"{context}: element {i} is {actual[i]:R}, expected {expected[i]:R}");
        }
    }
}
