namespace Perception.Training.Tests;

/// <summary>Collation against a naive dictionary voxelization: one row per voxel with the batch index, the first
/// point's features and class; a voxel budget keeps that many distinct voxels of the same set.</summary>
public sealed class TrainingBatchTests
{
    private const float VoxelSize = 0.5f;

    [Fact]
    public void Every_voxel_of_every_scan_is_one_row()
    {
        (float[] points, int[] classes)[] scans = [Scan(1, 3000), Scan(2, 2000)];
        TrainingBatch batch = TrainingBatch.Collate([.. scans.Select(s => (s.points, s.classes, new Random(0)))], VoxelSize, 1_000_000);
        Dictionary<(int, int, int, int), (float[] Feats, int Class)> expected = Naive(scans);
        Assert.Equal(expected.Count, batch.VoxelCount);
        Assert.Equal(2, batch.ScanCount);
        CheckRows(batch, expected);
    }

    [Fact]
    public void A_budget_keeps_that_many_distinct_voxels()
    {
        (float[] points, int[] classes)[] scans = [Scan(3, 4000)];
        TrainingBatch batch = TrainingBatch.Collate([(scans[0].points, scans[0].classes, new Random(7))], VoxelSize, 500);
        Assert.Equal(500, batch.VoxelCount);
        CheckRows(batch, Naive(scans));
    }

    private static void CheckRows(TrainingBatch batch, Dictionary<(int, int, int, int), (float[] Feats, int Class)> expected)
    {
        int[] coords = batch.Input.Coords.ToArray<int>();
        float[] feats = batch.Input.Feats.ToArray<float>();
        long[] targets = batch.Targets.ToArray<long>();
        var seen = new HashSet<(int, int, int, int)>();
        for (int r = 0; r < batch.VoxelCount; r++)
        {
            var key = (coords[r * 4], coords[(r * 4) + 1], coords[(r * 4) + 2], coords[(r * 4) + 3]);
            Assert.True(seen.Add(key), $"voxel {key} appears twice");
            Assert.True(expected.TryGetValue(key, out var voxel), $"row {r}: voxel {key} is not in the scan");
            Assert.Equal(voxel.Feats, feats[(r * 4)..((r * 4) + 4)]);
            Assert.Equal(voxel.Class, targets[r]);
        }
    }

    // round(xyz / size), shifted so each scan's minimum is 0; the first point of a voxel represents it.
    private static Dictionary<(int, int, int, int), (float[], int)> Naive((float[] Points, int[] Classes)[] scans)
    {
        var result = new Dictionary<(int, int, int, int), (float[], int)>();
        for (int b = 0; b < scans.Length; b++)
        {
            float[] p = scans[b].Points;
            int n = p.Length / 4;
            int[] grid = [.. Enumerable.Range(0, n * 3).Select(i => (int)MathF.Round(p[((i / 3) * 4) + (i % 3)] / VoxelSize, MidpointRounding.ToEven))];
            int[] min = [.. Enumerable.Range(0, 3).Select(a => Enumerable.Range(0, n).Min(i => grid[(i * 3) + a]))];
            for (int i = 0; i < n; i++)
            {
                var key = (b, grid[i * 3] - min[0], grid[(i * 3) + 1] - min[1], grid[(i * 3) + 2] - min[2]);
                result.TryAdd(key, (p[(i * 4)..((i * 4) + 4)], scans[b].Classes[i]));
            }
        }

        return result;
    }

    private static (float[] Points, int[] Classes) Scan(int seed, int count)
    {
        var random = new Random(seed);
        float[] points = [.. Enumerable.Range(0, count * 4).Select(i => i % 4 == 3 ? random.NextSingle() : (random.NextSingle() * 20) - 10)];
        int[] classes = [.. Enumerable.Range(0, count).Select(_ => random.Next(20) is int c && c == 19 ? 255 : c)];
        return (points, classes);
    }
}
