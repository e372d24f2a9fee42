using TorchSparse.Conv;
using TorchSparse.KernelMaps;
using TorchSparse.Nn;
using TorchSparse.Tests.Ops;

namespace TorchSparse.Tests.Conv;

public class ConvValidationTests
{
    [Fact]
    public void Weight_with_the_wrong_kernel_volume_names_the_expected_shape()
    {
        SparseTensor x = RandomClouds.Make(1, 10, 4);
        var e = Assert.Throws<ShapeMismatchException>(() =>
            SparseConv.Forward(x, Tensor.Zeros(DType.Float32, 8, 4, 4), null, new ConvGeometry(3)));
        Assert.Contains("[27, Cin, Cout]", e.Message);
    }

    [Fact]
    public void Input_channels_must_match_the_weight()
    {
        SparseTensor x = RandomClouds.Make(1, 10, 4);
        var e = Assert.Throws<ShapeMismatchException>(() => new Conv3d(5, 8, 3).Forward(x));
        Assert.Contains("expects 5 input channels but the input has 4", e.Message);
    }

    [Fact]
    public void Bias_must_have_one_value_per_output_channel()
    {
        SparseTensor x = RandomClouds.Make(1, 10, 4);
        Assert.Throws<ShapeMismatchException>(() =>
            SparseConv.Forward(x, Tensor.Zeros(DType.Float32, 27, 4, 8), Tensor.Zeros(DType.Float32, 7), new ConvGeometry(3)));
    }

    [Fact]
    public void Float16_features_are_refused_with_a_hint()
    {
        SparseTensor x = RandomClouds.Make(1, 10, 4);
        SparseTensor half = x.WithFeats(x.Feats.To(DType.Float16));
        var e = Assert.Throws<DTypeMismatchException>(() => new Conv3d(4, 8, 3).Forward(half));
        Assert.Contains("To(DType.Float32)", e.Message);
    }

    [Fact]
    public void Transposed_conv_without_its_downsampling_map_is_a_typed_error()
    {
        SparseTensor x = RandomClouds.Make(1, 50, 4);
        SparseTensor coarse = new(x.Feats, x.Coords, new Int3(2, 2, 2));
        var up = new Conv3d(4, 4, 2, stride: 2, transposed: true);
        var e = Assert.Throws<MissingKernelMapException>(() => up.Forward(coarse));
        Assert.Contains("downsampling conv", e.Message);
    }

    [Fact]
    public void Transposed_conv_restores_the_coordinates_of_its_downsampling_input()
    {
        SparseTensor x = RandomClouds.Make(2, 300, 4);
        SparseTensor down = new Conv3d(4, 6, 2, stride: 2).Forward(x);
        SparseTensor up = new Conv3d(6, 4, 2, stride: 2, transposed: true).Forward(down);
        Assert.Same(x.Coords, up.Coords);
        Assert.Equal(x.Stride, up.Stride);
    }

    [Fact]
    public void Generative_requires_transposed()
    {
        Assert.Throws<ArgumentException>(() => new Conv3d(4, 4, 2, stride: 2, generative: true));
    }

    [Fact]
    public void Non_positive_kernel_size_names_the_parameter()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ConvGeometry(new Int3(3, 0, 3)));
        Assert.Equal("kernelSize", e.ParamName);
    }

    [Fact]
    public void Submanifold_layers_share_one_map_whatever_their_downsample_rule()
    {
        SparseTensor x = RandomClouds.Make(3, 200, 4);
        new Conv3d(4, 4, 3, rule: DownsampleRule.Spconv).Forward(x);
        new Conv3d(4, 4, 3, rule: DownsampleRule.Minkowski).Forward(x);
        Assert.Equal(1, x.Cache.KernelMapCount);
    }
}
