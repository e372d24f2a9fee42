using TorchSparse.Checkpoints;

namespace TorchSparse.Tests.Checkpoints;

/// <summary>Hand-worked placements and the refusals of <see cref="SpconvWeights"/>.</summary>
public sealed class SpconvWeightsTests
{
    [Theory]
    // (kernel, spconv offset j0, j1, j2, engine flat index) for odd kernels: x fastest, k = j0 + k0*(j1 + k1*j2).
    [InlineData(3, 3, 3, 2, 1, 0, 5)]
    [InlineData(3, 3, 3, 0, 0, 1, 9)]
    [InlineData(3, 3, 3, 1, 1, 1, 13)]
    [InlineData(1, 3, 5, 0, 2, 1, 5)]
    // Even kernels keep spconv's row-major order: z fastest, k = j2 + k2*(j1 + k1*j0).
    [InlineData(2, 2, 2, 1, 0, 0, 4)]
    [InlineData(2, 2, 2, 0, 0, 1, 1)]
    [InlineData(3, 1, 2, 2, 0, 1, 5)]
    public void One_hot_weight_lands_at_the_engine_offset(int k0, int k1, int k2, int j0, int j1, int j2, int flat)
    {
        const int cin = 2, cout = 3;
        int volume = k0 * k1 * k2;
        int spatial = (((j0 * k1) + j1) * k2) + j2;
        var v2 = new float[cout * volume * cin];
        v2[(((2 * volume) + spatial) * cin) + 1] = 7f;     // [Cout=2, j, Cin=1]
        var v1 = new float[volume * cin * cout];
        v1[(((spatial * cin) + 1) * cout) + 2] = 7f;       // [j, Cin=1, Cout=2]

        foreach (Tensor converted in new[]
        {
            SpconvWeights.FromSpconv2(Tensor.From(v2, cout, k0, k1, k2, cin)),
            SpconvWeights.FromSpconv1(Tensor.From(v1, k0, k1, k2, cin, cout)),
        })
        {
            Assert.Equal([volume, cin, cout], converted.Shape);
            float[] values = converted.ToArray<float>();
            Assert.Equal(7f, values[(((flat * cin) + 1) * cout) + 2]);
            Assert.Equal(7f, values.Sum());
        }
    }

    [Fact]
    public void One_by_one_kernel_becomes_cin_by_cout_and_float16_is_widened()
    {
        Half[] values = [(Half)1, (Half)2, (Half)3, (Half)4, (Half)5, (Half)6];   // [Cout=3, 1, 1, 1, Cin=2]
        Tensor converted = SpconvWeights.FromSpconv2(Tensor.From(values, 3, 1, 1, 1, 2));
        Assert.Equal(DType.Float32, converted.DType);
        Assert.Equal([2, 3], converted.Shape);
        Assert.Equal([1f, 3, 5, 2, 4, 6], converted.ToArray<float>());
    }

    [Fact]
    public void Weight_of_the_wrong_rank_is_refused_naming_the_key()
    {
        var error = Assert.Throws<ShapeMismatchException>(() =>
            SpconvWeights.FromSpconv2(Tensor.Zeros(DType.Float32, 27, 4, 8), "backbone.conv1.weight"));
        Assert.Contains("backbone.conv1.weight", error.Message, StringComparison.Ordinal);
        Assert.Contains("[Cout, k0, k1, k2, Cin]", error.Message, StringComparison.Ordinal);
        Assert.Contains("[27, 4, 8]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Weight_with_an_empty_axis_is_refused() => Assert.Throws<ShapeMismatchException>(() =>
        SpconvWeights.FromSpconv1(Tensor.Zeros(DType.Float32, 3, 3, 3, 0, 8)));

    [Fact]
    public void Integer_weight_is_refused_naming_the_key()
    {
        var error = Assert.Throws<DTypeMismatchException>(() =>
            SpconvWeights.FromSpconv1(Tensor.Zeros(DType.Int64, 3, 3, 3, 2, 2), "w"));
        Assert.Contains("'w'", error.Message, StringComparison.Ordinal);
    }
}
