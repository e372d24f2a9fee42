using Perception.Datasets.SemanticKitti;

namespace Perception.Training;

/// <summary>
/// The training batches of one epoch, prepared on background threads while the model trains. The scan order is a
/// shuffle seeded by (seed, epoch) and each scan's augmentation draws from a generator seeded by (seed, epoch, scan),
/// so a batch is the same whatever the number of workers or where a run was resumed.
/// </summary>
public sealed class BatchLoader(IReadOnlyList<KittiFrame> frames, TrainingConfig config)
{
    private readonly ScanAugmenter augmenter = new(config.Augment);

    public int ScanCount => frames.Count;

    public int BatchesPerEpoch => (frames.Count + config.BatchSize - 1) / config.BatchSize;

    /// <summary>Batches of epoch <paramref name="epoch"/> (0-based), from batch <paramref name="firstBatch"/> on.</summary>
    public IEnumerable<TrainingBatch> Epoch(int epoch, int firstBatch = 0, CancellationToken cancellation = default)
    {
        int[] order = Shuffle(epoch);
        var pending = new Queue<Task<TrainingBatch>>();
        int next = firstBatch;
        while (next < BatchesPerEpoch || pending.Count > 0)
        {
            while (pending.Count < config.Train.Workers + 1 && next < BatchesPerEpoch)
            {
                int batch = next++;
                pending.Enqueue(Task.Run(() => Build(order, epoch, batch), cancellation));
            }

            yield return pending.Dequeue().GetAwaiter().GetResult();
        }
    }

    private TrainingBatch Build(int[] order, int epoch, int batch)
    {
        int first = batch * config.BatchSize;
        var scans = new List<(float[], int[], Random)>();
        for (int i = first; i < Math.Min(first + config.BatchSize, order.Length); i++)
        {
            LabelledScan scan = LabelledScan.Read(frames[order[i]]);
            var random = new Random(Seed(config.Train.Seed, epoch, order[i]));
            scans.Add((augmenter.Apply(scan.Points, random), scan.Classes, random));
        }

        return TrainingBatch.Collate(scans, (float)config.Dataset.VoxelSize, config.Dataset.NumPoints);
    }

    private int[] Shuffle(int epoch)
    {
        int[] order = [.. Enumerable.Range(0, frames.Count)];
        new Random(Seed(config.Train.Seed, epoch, -1)).Shuffle(order);
        return order;
    }

    // A stable mix of the three numbers (HashCode is randomised per process, so it cannot be used here).
    internal static int Seed(int seed, int epoch, int scan)
    {
        ulong h = ((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)epoch * 0xC2B2AE3D27D4EB4FUL)
            ^ ((ulong)(uint)scan * 0x165667B19E3779F9UL);
        h ^= h >> 31;
        h *= 0xBF58476D1CE4E5B9UL;
        return (int)(h >> 33);
    }
}
