using TorchSparse.Conv;
using TorchSparse.Coordinates;
using TorchSparse.Functional;
using TorchSparse.Nn;

namespace TorchSparse.Tests;

/// <summary>The README's engine examples, verbatim apart from the input cloud, so the README cannot drift.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void Readme_example_runs_and_restores_coordinates()
    {
        var random = new Random(1);
        float[] points = Enumerable.Range(0, 4000).Select(_ => (float)(random.NextDouble() * 4)).ToArray();

        // --- README ---
        // Points [N, 4] = x, y, z, remission  ->  voxels at 5 cm (numpy-style round, like spvnas).
        QuantizedCloud voxels = SparseQuantize.Quantize(points, rowStride: 4, voxelSize: 0.05f, QuantizeMode.Round);
        Tensor feats = SparseQuantize.VoxelizeMean(voxels, points, channels: 4);  // mean of each voxel's points
        var x = new SparseTensor(feats, voxels.Coords);             // coords int32 [N, 4] = (batch, x, y, z)

        var conv = new Conv3d(4, 32, kernelSize: 3);                // weight [27, 4, 32], TorchSparse offset order
        var down = new Conv3d(32, 64, kernelSize: 2, stride: 2);    // new coords in the downsampled index space
        var up = new Conv3d(64, 32, kernelSize: 2, stride: 2, transposed: true); // reuses down's map

        SparseTensor y = SparseOps.Relu(conv.Forward(x));
        SparseTensor z = up.Forward(down.Forward(y));               // z.Coords is y.Coords
        // --- end ---

        Assert.Same(y.Coords, z.Coords);
        Assert.Equal(32, z.Channels);
        Assert.Equal(voxels.Count, z.Count);

        // --- README: Backward ---
        SparseTensor h = down.Forward(y);                           // builds down's kernel map into y.Cache
        Tensor dh = Tensor.Zeros(DType.Float32, h.Count, 64);       // dL/dh, from the layers above
        ConvGradients g = SparseConvGrad.Backward(y, down.Weight, down.Geometry, dh, withBias: false, down.Config);
        // g.InputGrad = dL/dy [N, 32], g.WeightGrad = dL/dW [8, 32, 64]; g.BiasGrad is set when withBias is true
        // --- end ---

        Assert.Equal([y.Count, 32], g.InputGrad.Shape);
        Assert.Equal([8, 32, 64], g.WeightGrad.Shape);
        Assert.Null(g.BiasGrad);
    }
}
