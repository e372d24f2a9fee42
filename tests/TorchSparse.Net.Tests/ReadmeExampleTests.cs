using TorchSparse.Coordinates;
using TorchSparse.Functional;
using TorchSparse.Nn;

namespace TorchSparse.Tests;

/// <summary>The README's engine example, verbatim apart from the input cloud, so the README cannot drift.</summary>
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
    }
}
