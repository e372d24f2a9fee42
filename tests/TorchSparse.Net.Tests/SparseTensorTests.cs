namespace TorchSparse.Tests;

public class SparseTensorTests
{
    [Fact]
    public void Rejects_feats_and_coords_with_different_row_counts()
    {
        Tensor coords = Tensor.Zeros(DType.Int32, 3, 4);
        Tensor feats = Tensor.Zeros(DType.Float32, 2, 8);
        var e = Assert.Throws<ShapeMismatchException>(() => new SparseTensor(feats, coords));
        Assert.Contains("2 rows", e.Message);
    }

    [Fact]
    public void Rejects_coords_that_are_not_int32_n_by_4()
    {
        Tensor coords = Tensor.Zeros(DType.Int32, 3, 3);
        Tensor feats = Tensor.Zeros(DType.Float32, 3, 8);
        Assert.Throws<ShapeMismatchException>(() => new SparseTensor(feats, coords));
    }

    [Fact]
    public void Rejects_a_negative_batch_index_naming_the_row()
    {
        Tensor coords = Tensor.From(new[] { 0, 1, 2, 3, -1, 4, 5, 6 }, 2, 4);
        Tensor feats = Tensor.Zeros(DType.Float32, 2, 1);
        var e = Assert.Throws<InvalidCoordinatesException>(() => new SparseTensor(feats, coords));
        Assert.Contains("row 1", e.Message);
    }
}
