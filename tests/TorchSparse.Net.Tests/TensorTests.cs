namespace TorchSparse.Tests;

public class TensorTests
{
    [Fact]
    public void From_copies_data_and_keeps_shape()
    {
        float[] data = [1, 2, 3, 4, 5, 6];
        Tensor t = Tensor.From(data, 2, 3);
        data[0] = 99;
        Assert.Equal(new[] { 2, 3 }, t.Shape);
        Assert.Equal(1f, t.AsSpan<float>()[0]);
        Assert.Equal(DType.Float32, t.DType);
    }

    [Fact]
    public void From_rejects_a_shape_that_does_not_match_the_data()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Tensor.From(new float[5], 2, 3));
        Assert.Contains("5 elements", e.Message);
    }

    [Fact]
    public void AsSpan_rejects_the_wrong_element_type()
    {
        Tensor t = Tensor.Zeros(DType.Int32, 4);
        Assert.Throws<DTypeMismatchException>(() => t.AsSpan<float>());
    }

    [Fact]
    public void Reshape_shares_storage()
    {
        Tensor t = Tensor.Zeros(DType.Float32, 2, 3);
        Tensor r = t.Reshape(3, 2);
        r.AsSpan<float>()[5] = 7;
        Assert.Equal(7f, t.AsSpan<float>()[5]);
        Assert.Throws<ShapeMismatchException>(() => t.Reshape(4, 2));
    }

    [Fact]
    public void Float16_storage_round_trips_through_float32()
    {
        float[] values = [0f, 1.5f, -2.25f, 65504f];
        Tensor half = Tensor.From(values, 4).To(DType.Float16);
        Assert.Equal(DType.Float16, half.DType);
        Assert.Equal(values, half.To(DType.Float32).ToArray<float>());
    }

    [Fact]
    public void Negative_dimension_is_rejected()
    {
        Assert.Throws<ShapeMismatchException>(() => Tensor.Zeros(DType.Float32, 3, -1));
    }
}
