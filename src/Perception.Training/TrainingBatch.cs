using Pvcnn;
using TorchSparse;
using TorchSparse.Coordinates;

namespace Perception.Training;

/// <summary>
/// The network input of several scans: one voxel per row with the batch index in coordinate column 0 (TorchSparse's
/// sparse_collate), and per voxel the class of its representative point (int64, 255 = ignored).
/// </summary>
public sealed record TrainingBatch(SparseTensor Input, Tensor Targets, int ScanCount)
{
    public int VoxelCount => Targets.Size(0);

    /// <summary>
    /// Voxelizes each scan as spvnas does at training time (round(xyz / voxel), shifted to start at 0, first point of
    /// each voxel), keeps a random subset of <paramref name="voxelBudget"/> voxels of larger scans, and stacks the
    /// scans with their batch index.
    /// </summary>
    public static TrainingBatch Collate(IReadOnlyList<(float[] Points, int[] Classes, Random Random)> scans,
        float voxelSize, int voxelBudget)
    {
        ArgumentNullException.ThrowIfNull(scans);
        ArgumentOutOfRangeException.ThrowIfZero(scans.Count);
        var feats = new List<float>();
        var coords = new List<int>();
        var targets = new List<long>();
        for (int b = 0; b < scans.Count; b++)
        {
            (float[] points, int[] classes, Random random) = scans[b];
            (SparseTensor voxels, QuantizedCloud cloud) = SemanticSegmenter.Voxelize(points, voxelSize);
            ReadOnlySpan<float> voxelFeats = voxels.Feats.AsSpan<float>();
            ReadOnlySpan<int> voxelCoords = voxels.Coords.AsSpan<int>();
            foreach (int v in Keep(cloud.Count, voxelBudget, random))
            {
                coords.Add(b);
                for (int a = 1; a < 4; a++)
                {
                    coords.Add(voxelCoords[(v * 4) + a]);
                }

                for (int c = 0; c < 4; c++)
                {
                    feats.Add(voxelFeats[(v * 4) + c]);
                }

                targets.Add(classes[cloud.FirstIndex[v]]);
            }
        }

        int rows = targets.Count;
        var input = new SparseTensor(Tensor.From(feats.ToArray(), rows, 4), Tensor.From(coords.ToArray(), rows, 4));
        return new TrainingBatch(input, Tensor.From(targets.ToArray(), rows), scans.Count);
    }

    /// <summary>All voxel rows, or a uniformly random subset of <paramref name="budget"/> of them in ascending order
    /// (a partial Fisher-Yates shuffle, as numpy's choice without replacement draws).</summary>
    private static int[] Keep(int count, int budget, Random random)
    {
        int[] rows = [.. Enumerable.Range(0, count)];
        if (count <= budget)
        {
            return rows;
        }

        for (int i = 0; i < budget; i++)
        {
            int j = random.Next(i, count);
            (rows[i], rows[j]) = (rows[j], rows[i]);
        }

        int[] kept = rows[..budget];
        Array.Sort(kept);
        return kept;
    }
}
