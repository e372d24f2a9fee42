using TorchSparse.Functional;
using TorchSparse.Gpu.OpenCl;
using Xunit.Abstractions;
using static TorchSparse.Gpu.Tests.Backend.ParityData;

namespace TorchSparse.Gpu.Tests.Backend;

/// <summary>
/// The generated voxelize (point-to-voxel mean) and devoxelize (trilinear interpolation) kernels against
/// <see cref="PointVoxel"/> on CPU copies of the same data. Both sides do the same float32 operations in the same
/// order (each voxel sums its points in point order; each point sums its corners in 4dx + 2dy + dz order), so they
/// differ only where the device rounds a division differently (OpenCL 1.2 allows 2.5 ulp) or fuses a multiply-add:
/// a few ulp of values of magnitude at most 1 (features are in [-1, 1], weights sum to 1), far inside
/// <see cref="Tolerance"/> x (1 + max |cpu|), while a wrong corner, voxel or point (a difference of order 0.1) fails.
/// </summary>
public sealed class PointVoxelParityTests(ITestOutputHelper output)
{
    /// <summary>Voxel count, grid side, stride per axis, point count, channels.</summary>
    public static TheoryData<int, int, int, int, int, int, int> Scenes() => new()
    {
        { 300, 10, 1, 1, 1, 2000, 1 },
        { 300, 10, 1, 1, 1, 2000, 3 },
        { 800, 8, 2, 2, 2, 3000, 16 },
        { 500, 10, 2, 2, 2, 1500, 33 },
        { 400, 10, 1, 2, 4, 2000, 16 },
        { 400, 10, 3, 1, 2, 2000, 3 },
        { 300, 10, 1, 1, 1, 0, 16 },
        { 0, 10, 2, 2, 2, 500, 3 },
        { 1, 4, 1, 1, 1, 50, 33 },
        { 4000, 24, 2, 2, 2, 20000, 33 },
    };

    [Theory]
    [MemberData(nameof(Scenes))]
    public void Point_to_voxel_mean_matches_cpu(int voxels, int grid, int sx, int sy, int sz, int points, int channels)
    {
        Scene scene = Build(voxels, grid, new Int3(sx, sy, sz), points, channels, seed: voxels + points + channels);
        float[] expected = PointVoxel.PointToVoxel(scene.CpuVoxels, scene.CpuPoints).Feats.ToArray<float>();
        float[] actual = Backend.PointToVoxel(scene.Voxels, scene.PointCoords, scene.PointFeats).ToArray<float>();
        Assert.Equal(voxels * channels, actual.Length);
        Report("point-to-voxel", expected, actual);
        if (voxels > 1 && points > 0)
        {
            // Not vacuous: some voxels average points, and others hold none.
            Assert.Contains(expected, v => v != 0f);
            Assert.Contains(Enumerable.Range(0, voxels), v => expected.AsSpan(v * channels, channels).IndexOfAnyExcept(0f) < 0);
        }

        AssertClose(expected, actual, $"point-to-voxel {voxels} voxels, {points} points, stride {sx}x{sy}x{sz}, C {channels}");

        // The per-voxel sums run in point order on one work item each: a second run is bit-identical.
        Assert.Equal(actual, Backend.PointToVoxel(scene.Voxels, scene.PointCoords, scene.PointFeats).ToArray<float>());
    }

    [Theory]
    [MemberData(nameof(Scenes))]
    public void Devoxelize_matches_cpu(int voxels, int grid, int sx, int sy, int sz, int points, int channels)
    {
        Scene scene = Build(voxels, grid, new Int3(sx, sy, sz), points, channels, seed: voxels + points + channels);
        float[] expected = PointVoxel.Devoxelize(scene.CpuVoxels, scene.CpuPoints).Feats.ToArray<float>();
        float[] actual = Backend.Devoxelize(scene.Voxels, scene.PointCoords).ToArray<float>();
        Assert.Equal(points * channels, actual.Length);
        Report("devoxelize", expected, actual);
        if (voxels > 0 && points > 0)
        {
            // Not vacuous: some points interpolate voxels, and others lie next to none.
            Assert.Contains(expected, v => v != 0f);
            Assert.Contains(Enumerable.Range(0, points), p => expected.AsSpan(p * channels, channels).IndexOfAnyExcept(0f) < 0);
        }

        AssertClose(expected, actual, $"devoxelize {voxels} voxels, {points} points, stride {sx}x{sy}x{sz}, C {channels}");
        Assert.Equal(actual, Backend.Devoxelize(scene.Voxels, scene.PointCoords).ToArray<float>());
    }

    [Fact]
    public void Point_rows_are_the_cpu_cells_in_the_voxel_table()
    {
        Scene scene = Build(600, 10, new Int3(2, 1, 3), 3000, 1, seed: 11);
        int[] coords = scene.Voxels.Coords.ToArray<int>();
        var rowOf = new Dictionary<(int, int, int, int), int>();
        for (int v = 0; v < coords.Length / 4; v++)
        {
            rowOf.TryAdd((coords[v * 4], coords[(v * 4) + 1], coords[(v * 4) + 2], coords[(v * 4) + 3]), v);
        }

        float[] p = scene.PointCoords.ToArray<float>();
        var expected = new int[p.Length / 4];
        for (int i = 0; i < expected.Length; i++)
        {
            var cell = ((int)p[i * 4], Cell(p[(i * 4) + 1], 2), Cell(p[(i * 4) + 2], 1), Cell(p[(i * 4) + 3], 3));
            expected[i] = rowOf.GetValueOrDefault(cell, -1);
        }

        using DeviceHashTable table = Backend.BuildTable(scene.Voxels.Coords);
        int[] actual = Backend.PointRows(table, scene.PointCoords, scene.Voxels.Stride).ToArray<int>();
        Assert.Equal(expected, actual);
        Assert.Contains(-1, actual);
        Assert.True(actual.Where(r => r >= 0).GroupBy(r => r).Any(g => g.Count() > 1), "some voxel holds several points");

        static int Cell(float coordinate, int stride) => (int)MathF.Floor(coordinate / stride);
    }

    [Fact]
    public void Host_tensors_are_refused_naming_the_device()
    {
        Scene scene = Build(10, 4, Int3.One, 20, 3, seed: 2);
        Tensor hostCoords = scene.PointCoords.CopyTo(Device.Cpu);
        Assert.Throws<DeviceMismatchException>(() => Backend.Devoxelize(scene.Voxels, hostCoords));
        Assert.Throws<DeviceMismatchException>(() =>
            Backend.PointToVoxel(scene.Voxels, scene.PointCoords, scene.PointFeats.CopyTo(Device.Cpu)));
        Assert.Throws<DeviceMismatchException>(() => Backend.PointToVoxel(scene.CpuVoxels, scene.PointCoords, scene.PointFeats));
    }

    private static OpenClBackend Backend => (OpenClBackend)Cl.Backend;

    /// <summary>
    /// Distinct voxels over two batches, centred on 0 (negative cells too); points: a third placed inside the first
    /// half of the voxels (so those hold several points and the rest of the voxels mostly none), a tenth exactly on
    /// cell corners (where devoxelize skips corners of weight 0), and the rest uniform over the grid and a cell
    /// beyond it in batches 0..2 (batch 2 has no voxels), many in no voxel. The device tensors are the originals;
    /// the CPU side gets copies.
    /// </summary>
    private static Scene Build(int voxels, int grid, Int3 stride, int points, int channels, int seed)
    {
        int[] coords = Cloud(voxels, grid, seed);
        for (int i = 0; i < coords.Length; i++)
        {
            coords[i] -= i % 4 == 0 ? 0 : grid / 2;
        }

        var random = new Random(seed + 1);
        int[] s = [stride.X, stride.Y, stride.Z];
        var p = new float[points * 4];
        for (int i = 0; i < points; i++)
        {
            int kind = random.Next(10);
            int v = voxels == 0 ? -1 : random.Next(Math.Max(1, voxels / 2));
            p[i * 4] = v >= 0 && kind < 4 ? coords[v * 4] : random.Next(3);
            for (int a = 1; a < 4; a++)
            {
                double position = v >= 0 && kind < 3 ? coords[(v * 4) + a] + random.NextDouble()
                    : kind == 3 ? random.Next(-grid / 2, (grid / 2) + 1)
                    : (random.NextDouble() * (grid + 2)) - (grid / 2) - 1;
                p[(i * 4) + a] = (float)(position * s[a - 1]);
            }
        }

        var voxelFeats = Tensor.From<float>(Random((long)voxels * channels, seed + 2), [voxels, channels], Cl);
        var voxelCoords = Tensor.From<int>(coords, [voxels, 4], Cl);
        var pointCoords = Tensor.From<float>(p, [points, 4], Cl);
        var pointFeats = Tensor.From<float>(Random((long)points * channels, seed + 3), [points, channels], Cl);
        return new Scene(
            new SparseTensor(voxelFeats, voxelCoords, stride),
            pointCoords,
            pointFeats,
            new SparseTensor(voxelFeats.CopyTo(Device.Cpu), voxelCoords.CopyTo(Device.Cpu), stride),
            new PointTensor(pointFeats.CopyTo(Device.Cpu), pointCoords.CopyTo(Device.Cpu)));
    }

    private void Report(string what, float[] expected, float[] actual)
    {
        float max = 0f;
        int exact = 0;
        int nonzero = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            max = Math.Max(max, Math.Abs(expected[i] - actual[i]));
            exact += expected[i] == actual[i] ? 1 : 0;
            nonzero += expected[i] != 0f ? 1 : 0;
        }

        output.WriteLine($"{what}: {expected.Length} values ({nonzero} non-zero), max |difference| {max:G3}, {exact} bit-equal");
    }

    private sealed record Scene(
        SparseTensor Voxels, Tensor PointCoords, Tensor PointFeats, SparseTensor CpuVoxels, PointTensor CpuPoints);
}
