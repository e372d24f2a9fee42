using Perception.Datasets.Simulation;
using TorchSparse;
using TorchSparse.Coordinates;

namespace Perception.Bench;

/// <summary>
/// The standard workload: a SemanticKITTI-sized scan (64-beam ray cast, ~120k points) voxelised at 0.05 m the way
/// spvnas does it (round, then shift so the minimum is 0), one representative point per voxel.
/// </summary>
public sealed class StandardWorkload
{
    public const float VoxelSize = 0.05f;

    private StandardWorkload(LidarScan scan, QuantizedCloud voxels, Tensor coords)
    {
        Scan = scan;
        Voxels = voxels;
        Coords = coords;
    }

    public LidarScan Scan { get; }

    public QuantizedCloud Voxels { get; }

    /// <summary>Voxel coordinates (batch 0), shifted to start at 0 on every axis.</summary>
    public Tensor Coords { get; }

    public int VoxelCount => Coords.Size(0);

    public static StandardWorkload Create(int seed = 0)
    {
        LidarScan scan = new LidarScanGenerator().Generate(seed);
        QuantizedCloud voxels = SparseQuantize.Quantize(scan.Points, rowStride: 4, VoxelSize, QuantizeMode.Round);
        return new StandardWorkload(scan, voxels, ShiftToOrigin(voxels.Coords));
    }

    /// <summary>Seeded random features in [-1, 1) on the workload's voxels, with a fresh kernel-map cache.</summary>
    public SparseTensor Features(int channels, int seed = 1)
    {
        var random = new Random(seed);
        var feats = new float[VoxelCount * channels];
        for (int i = 0; i < feats.Length; i++)
        {
            feats[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return new SparseTensor(Tensor.From(feats, VoxelCount, channels), Coords);
    }

    /// <summary>The network input spvnas uses: each voxel's first point's (x, y, z, remission).</summary>
    public SparseTensor PointFeatures()
    {
        ReadOnlySpan<float> points = Scan.Points;
        var feats = new float[VoxelCount * 4];
        for (int v = 0; v < VoxelCount; v++)
        {
            points.Slice(Voxels.FirstIndex[v] * 4, 4).CopyTo(feats.AsSpan(v * 4, 4));
        }

        return new SparseTensor(Tensor.From(feats, VoxelCount, 4), Coords);
    }

    private static Tensor ShiftToOrigin(Tensor coords)
    {
        int[] c = coords.ToArray<int>();
        int n = c.Length / 4;
        Span<int> min = [0, int.MaxValue, int.MaxValue, int.MaxValue];
        for (int r = 0; r < n; r++)
        {
            for (int a = 1; a < 4; a++)
            {
                min[a] = Math.Min(min[a], c[(r * 4) + a]);
            }
        }

        for (int r = 0; r < n; r++)
        {
            for (int a = 1; a < 4; a++)
            {
                c[(r * 4) + a] -= min[a];
            }
        }

        return Tensor.From(c, n, 4);
    }
}
