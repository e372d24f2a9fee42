using TorchSparse.Conv;
using TorchSparse.Nn;
using TorchSparse.Tests.Ops;

namespace TorchSparse.Tests.Conv;

/// <summary>The backward runs over the forward's own kernel map, never builds one, and rejects bad arguments with
/// the engine's typed exceptions.</summary>
public class ConvGradValidationTests
{
    [Theory]
    [InlineData(3, 1, false, false)]
    [InlineData(2, 2, false, false)]
    [InlineData(2, 2, true, false)]
    [InlineData(3, 2, true, true)]
    public void Backward_without_the_forwards_map_throws_and_builds_nothing(int k, int s, bool transposed, bool generative)
    {
        SparseTensor cloud = RandomClouds.Make(1, 200, 4, batches: 2);
        SparseTensor x = transposed ? new SparseTensor(cloud.Feats, cloud.Coords, new Int3(s, s, s)) : cloud;
        var layer = new Conv3d(4, 5, k, stride: s, transposed: transposed, generative: generative);
        Tensor grad = Tensor.Zeros(DType.Float32, 200, 5);
        Assert.Throws<MissingKernelMapException>(() =>
            SparseConvGrad.Backward(x, layer.Weight, layer.Geometry, grad));
        Assert.Equal(0, x.Cache.KernelMapCount);
    }

    [Fact]
    public void Backward_after_the_cache_was_cleared_throws()
    {
        SparseTensor x = RandomClouds.Make(2, 200, 4);
        var layer = new Conv3d(4, 5, 3);
        SparseTensor y = layer.Forward(x);
        x.Cache.Clear();
        Assert.Throws<MissingKernelMapException>(() =>
            SparseConvGrad.WeightGrad(x, layer.Weight, layer.Geometry, y.Feats));
    }

    [Fact]
    public void Every_gradient_has_the_shape_of_its_variable_and_the_map_is_reused()
    {
        SparseTensor x = RandomClouds.Make(3, 300, 4);
        var down = new Conv3d(4, 6, 2, stride: 2, bias: true);
        SparseTensor y = down.Forward(x);
        int maps = x.Cache.KernelMapCount;
        ConvGradients grads = SparseConvGrad.Backward(x, down.Weight, down.Geometry, y.Feats, withBias: true);
        Assert.Equal(maps, x.Cache.KernelMapCount);
        Assert.Equal([300, 4], grads.InputGrad.Shape);
        Assert.Equal([8, 4, 6], grads.WeightGrad.Shape);
        Assert.Equal([6], grads.BiasGrad!.Shape);
        Assert.Null(SparseConvGrad.Backward(x, down.Weight, down.Geometry, y.Feats).BiasGrad);
    }

    [Fact]
    public void Pointwise_layers_need_no_map_and_keep_the_weight_layout()
    {
        SparseTensor x = RandomClouds.Make(4, 100, 5);
        var layer = new Conv3d(5, 3, 1);
        ConvGradients grads = SparseConvGrad.Backward(x, layer.Weight, layer.Geometry, Tensor.Zeros(DType.Float32, 100, 3));
        Assert.Equal([5, 3], grads.WeightGrad.Shape);
        Assert.All(grads.WeightGrad.ToArray<float>(), v => Assert.Equal(0f, v));
        Assert.Equal(0, x.Cache.KernelMapCount);
    }

    [Fact]
    public void A_generative_conv_keeps_its_map_in_the_input_cache()
    {
        SparseTensor x = RandomClouds.Make(5, 50, 4);
        var coarse = new SparseTensor(x.Feats, x.Coords, new Int3(2, 2, 2));
        var up = new Conv3d(4, 3, 3, stride: 2, transposed: true, generative: true);
        SparseTensor first = up.Forward(coarse);
        SparseTensor second = up.Forward(coarse);
        Assert.Same(first.Coords, second.Coords);
        Assert.Equal(1, coarse.Cache.KernelMapCount);
        Assert.Equal([50, 4], SparseConvGrad.InputGrad(coarse, up.Weight, up.Geometry, first.Feats).Shape);
    }

    [Fact]
    public void Bad_output_gradients_are_typed_errors()
    {
        SparseTensor x = RandomClouds.Make(6, 120, 4);
        var layer = new Conv3d(4, 5, 3);
        layer.Forward(x);
        Assert.Throws<ShapeMismatchException>(() =>
            SparseConvGrad.Backward(x, layer.Weight, layer.Geometry, Tensor.Zeros(DType.Float32, 119, 5)));
        Assert.Throws<ShapeMismatchException>(() =>
            SparseConvGrad.Backward(x, layer.Weight, layer.Geometry, Tensor.Zeros(DType.Float32, 120, 4)));
        Assert.Throws<ShapeMismatchException>(() =>
            SparseConvGrad.Backward(x, layer.Weight, layer.Geometry, Tensor.Zeros(DType.Float32, 600)));
        Assert.Throws<DTypeMismatchException>(() =>
            SparseConvGrad.Backward(x, layer.Weight, layer.Geometry, Tensor.Zeros(DType.Float16, 120, 5)));
        Assert.Throws<DTypeMismatchException>(() => SparseConvGrad.BiasGrad(Tensor.Zeros(DType.Int32, 120, 5)));
    }

    [Fact]
    public void A_weight_that_does_not_fit_is_a_shape_error()
    {
        SparseTensor x = RandomClouds.Make(7, 120, 4);
        var layer = new Conv3d(4, 5, 3);
        SparseTensor y = layer.Forward(x);
        Assert.Throws<ShapeMismatchException>(() =>
            SparseConvGrad.Backward(x, Tensor.Zeros(DType.Float32, 27, 3, 5), layer.Geometry, y.Feats));
        Assert.Throws<ShapeMismatchException>(() =>
            SparseConvGrad.Backward(x, Tensor.Zeros(DType.Float32, 8, 4, 5), layer.Geometry, y.Feats));
    }
}
