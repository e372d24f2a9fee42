using TorchSparse.Conv;
using TorchSparse.Gpu.OpenCl;
using TorchSparse.Nn;

namespace TorchSparse.Gpu.Tests;

/// <summary>The README's OpenCL example, verbatim apart from the input, checked against the same conv on the CPU.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void Readme_opencl_example_runs_and_matches_the_cpu()
    {
        int[] cloud = Backend.ParityData.Cloud(500, grid: 10, seed: 21);
        Tensor coords = Tensor.From(cloud, 500, 4);
        Tensor feats = Tensor.From(Backend.ParityData.Random(500 * 32, 22), 500, 32);

        // --- README ---
        Device cl = OpenClDevices.Open();                    // first platform, first device (PoCL in CI)
        var x = new SparseTensor(feats.CopyTo(cl), coords.CopyTo(cl));
        var conv = new Conv3d(32, 64, 3);
        conv.LoadParameters(conv.Weight.CopyTo(cl), null);   // data moves between devices only when asked
        conv.Config = new ConvConfig { SortByMask = true, MaskSplits = 2, Tiling = GeneratedTilings.Medium };
        SparseTensor y = conv.Forward(x);                    // map built by generated hash kernels, conv by implicit GEMM
        float[] result = y.Feats.ToArray<float>();
        // --- end ---

        var reference = new Conv3d(32, 64, 3);
        float[] expected = reference.Forward(new SparseTensor(feats, coords)).Feats.ToArray<float>();
        Backend.ParityData.AssertClose(expected, result, "README example");
    }
}
