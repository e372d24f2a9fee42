using TorchSparse.Functional;

namespace TorchSparse.Tests.Ops;

public class PointVoxelTests
{
    /// <summary>
    /// With all 8 surrounding voxels present, trilinear interpolation of a field that is linear in position
    /// (voxel v sits at v * stride) reproduces the field at the point exactly, up to float32 rounding.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Devoxelize_reproduces_a_linear_field(int stride)
    {
        const int grid = 6;
        var coords = new List<int>();
        var feats = new List<float>();
        for (int x = 0; x < grid; x++)
        {
            for (int y = 0; y < grid; y++)
            {
                for (int z = 0; z < grid; z++)
                {
                    coords.AddRange([0, x, y, z]);
                    feats.AddRange([Field(x * stride, y * stride, z * stride), 1f]);
                }
            }
        }

        var voxels = new SparseTensor(Tensor.From(feats.ToArray(), grid * grid * grid, 2),
            Tensor.From(coords.ToArray(), grid * grid * grid, 4), new Int3(stride, stride, stride));
        var random = new Random(11);
        const int n = 200;
        var pc = new float[n * 4];
        for (int i = 0; i < n; i++)
        {
            for (int a = 1; a < 4; a++)
            {
                pc[(i * 4) + a] = (float)(random.NextDouble() * (grid - 1) * stride);
            }
        }

        PointTensor points = new(Tensor.Zeros(DType.Float32, n, 1), Tensor.From(pc, n, 4));
        float[] result = PointVoxel.Devoxelize(voxels, points).Feats.ToArray<float>();
        for (int i = 0; i < n; i++)
        {
            double want = Field(pc[(i * 4) + 1], pc[(i * 4) + 2], pc[(i * 4) + 3]);
            Assert.Equal(want, result[i * 2], 3);
            Assert.Equal(1.0, result[(i * 2) + 1], 5); // weights sum to one
        }
    }

    [Fact]
    public void Devoxelize_renormalises_over_the_voxels_that_exist()
    {
        // Only the lower corner exists: the point takes its value whatever its position in the cell.
        var voxels = new SparseTensor(Tensor.From(new[] { 5f }, 1, 1), Tensor.From(new[] { 0, 3, 3, 3 }, 1, 4));
        PointTensor points = new(Tensor.Zeros(DType.Float32, 1, 1), Tensor.From(new[] { 0f, 3.25f, 3.5f, 3.75f }, 1, 4));
        Assert.Equal(5f, PointVoxel.Devoxelize(voxels, points).Feats.ToArray<float>()[0], 5);
    }

    [Fact]
    public void PointToVoxel_averages_the_points_in_each_voxel()
    {
        var voxels = new SparseTensor(Tensor.Zeros(DType.Float32, 3, 1),
            Tensor.From(new[] { 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0 }, 3, 4), new Int3(2, 2, 2));
        // Points in original units: voxel of p at stride 2 is floor(p / 2).
        float[] pc = [0, 0.5f, 1, 1, 0, 1.5f, 0.2f, 0.3f, 0, 2.5f, 1, 1, 0, 9, 9, 9];
        float[] pf = [1, 3, 10, 100];
        SparseTensor result = PointVoxel.PointToVoxel(voxels, new PointTensor(Tensor.From(pf, 4, 1), Tensor.From(pc, 4, 4)));
        Assert.Equal(new[] { 2f, 10f, 0f }, result.Feats.ToArray<float>());
    }

    [Fact]
    public void PointTensor_rejects_non_finite_coordinates_naming_the_row()
    {
        float[] pc = [0, 1, 2, 3, 0, float.NaN, 0, 0];
        var e = Assert.Throws<InvalidCoordinatesException>(() =>
            new PointTensor(Tensor.Zeros(DType.Float32, 2, 1), Tensor.From(pc, 2, 4)));
        Assert.Contains("row 1", e.Message);
    }

    private static float Field(float x, float y, float z) => (0.5f * x) - (0.25f * y) + (0.125f * z) + 2f;
}
