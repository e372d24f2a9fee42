using System.Buffers;
using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Evaluation;

/// <summary>
/// Accumulates the SemanticKITTI confusion matrix over any number of scans, as semantic-kitti-api's
/// evaluate_semantics.py does: raw labels of predictions and ground truth are masked to their semantic id (low 16
/// bits), mapped through the learning map of <see cref="Classes"/>, and counted per point in a
/// <see cref="EvaluationClasses.Count"/>² matrix, rows = prediction, columns = ground truth. Raw ids the map does not
/// know are refused (the official script's lookup table silently turns ids up to 358 into class 0 and fails on larger
/// ones). <see cref="Add(ReadOnlySpan{uint}, ReadOnlySpan{uint})"/> may be called from several threads at once: each
/// scan is counted privately and merged under a lock.
/// </summary>
public sealed class KittiConfusionMatrix
{
    private readonly long[] cells; // Count x Count, row-major, row = predicted slot, column = true slot
    private readonly Lock gate = new();
    private long scanCount;

    /// <summary>An empty matrix over <paramref name="classes"/>.</summary>
    public KittiConfusionMatrix(EvaluationClasses classes)
    {
        Classes = classes;
        cells = new long[classes.Count * classes.Count];
    }

    /// <summary>The rows and columns: learning map, names, ignored classes.</summary>
    public EvaluationClasses Classes { get; }

    /// <summary>Number of scans added.</summary>
    public long ScanCount
    {
        get
        {
            lock (gate)
            {
                return scanCount;
            }
        }
    }

    /// <summary>Points predicted in <paramref name="predictedSlot"/> whose ground truth is in
    /// <paramref name="trueSlot"/> (slots as in <see cref="Classes"/>).</summary>
    public long this[int predictedSlot, int trueSlot]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)predictedSlot, (uint)Classes.Count,
                nameof(predictedSlot));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)trueSlot, (uint)Classes.Count,
                nameof(trueSlot));
            lock (gate)
            {
                return cells[(predictedSlot * Classes.Count) + trueSlot];
            }
        }
    }

    /// <summary>Counts one scan: raw uint32 labels, one prediction and one ground truth per point.</summary>
    /// <exception cref="ArgumentException">The lengths differ, or a semantic id is not in the learning map (the
    /// message names the point and the side); nothing is counted then.</exception>
    public void Add(ReadOnlySpan<uint> predictions, ReadOnlySpan<uint> groundTruth)
    {
        if (predictions.Length != groundTruth.Length)
        {
            throw new ArgumentException(
                $"{predictions.Length} predictions for {groundTruth.Length} ground-truth labels.", nameof(predictions));
        }

        if (TryAdd(predictions, groundTruth) is (bool inPrediction, int point))
        {
            ReadOnlySpan<uint> labels = inPrediction ? predictions : groundTruth;
            throw new ArgumentException($"Point {point}: {UnknownIdProblem(labels[point])}.",
                inPrediction ? nameof(predictions) : nameof(groundTruth));
        }
    }

    /// <summary>
    /// Counts one frame from its files: <see cref="KittiFrame.LabelPath"/> (ground truth) and
    /// <see cref="KittiFrame.PredictionPath"/>, each holding one label per point of <see cref="KittiFrame.ScanPath"/>
    /// (only the scan's size is read). Memory is bounded by one scan: the label buffers are pooled.
    /// </summary>
    /// <exception cref="DatasetFormatException">A file's label count differs from the scan's point count, or holds
    /// a semantic id the learning map lacks; the message names the file and the point.</exception>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    public void AddFrame(KittiFrame frame)
    {
        int points = KittiScanFile.CountPoints(frame.ScanPath);
        uint[] truth = ArrayPool<uint>.Shared.Rent(points);
        uint[] predictions = ArrayPool<uint>.Shared.Rent(points);
        try
        {
            KittiLabelFile.ReadInto(frame.LabelPath, truth.AsSpan(0, points));
            KittiLabelFile.ReadInto(frame.PredictionPath, predictions.AsSpan(0, points));
            if (TryAdd(predictions.AsSpan(0, points), truth.AsSpan(0, points)) is (bool inPrediction, int point))
            {
                uint label = inPrediction ? predictions[point] : truth[point];
                throw new DatasetFormatException(inPrediction ? frame.PredictionPath : frame.LabelPath,
                    $"point {point}: {UnknownIdProblem(label)}");
            }
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(predictions);
            ArrayPool<uint>.Shared.Return(truth);
        }
    }

    /// <summary>Adds another matrix over the same classes (for example one per worker).</summary>
    /// <exception cref="ArgumentException">The other matrix has other classes.</exception>
    public void Add(KittiConfusionMatrix other)
    {
        if (!ReferenceEquals(other.Classes, Classes))
        {
            throw new ArgumentException("The matrices are over different classes.", nameof(other));
        }

        long[] counts;
        long scans;
        lock (other.gate)
        {
            counts = (long[])other.cells.Clone();
            scans = other.scanCount;
        }

        Merge(counts, Classes.Count, scans);
    }

    /// <summary>Per-class IoU, mean IoU and accuracy under <paramref name="variant"/>'s rule.</summary>
    public IouReport Score(IouVariant variant)
    {
        long[] counts;
        long scans;
        lock (gate)
        {
            counts = (long[])cells.Clone();
            scans = scanCount;
        }

        return IouScoring.Score(Classes, counts, scans, variant);
    }

    /// <summary>Counts a scan into a private table, then merges it; returns the first unknown label instead.</summary>
    private (bool InPrediction, int Point)? TryAdd(ReadOnlySpan<uint> predictions, ReadOnlySpan<uint> groundTruth)
    {
        // One extra slot on each side collects unknown ids, so the hot loop needs no branch; any count there sends us
        // back to find the first offending point.
        int side = Classes.Count + 1;
        long[] rented = ArrayPool<long>.Shared.Rent(side * side);
        try
        {
            Span<long> scan = rented.AsSpan(0, side * side);
            scan.Clear();
            ConfusionCounting.Count(predictions, groundTruth, Classes.SlotOfSemanticId, side, scan);
            long unknown = 0;
            for (int k = 0; k < side; k++)
            {
                unknown += scan[(Classes.Count * side) + k] + scan[(k * side) + Classes.Count];
            }

            if (unknown > 0)
            {
                int inPrediction = ConfusionCounting.FirstUnknown(predictions, Classes.SlotOfSemanticId, Classes.Count);
                int inTruth = ConfusionCounting.FirstUnknown(groundTruth, Classes.SlotOfSemanticId, Classes.Count);
                return inTruth >= 0 ? (false, inTruth) : (true, inPrediction);
            }

            Merge(scan, side, 1);
            return null;
        }
        finally
        {
            ArrayPool<long>.Shared.Return(rented);
        }
    }

    /// <summary>Adds the leading Count × Count block of a table with rows <paramref name="stride"/> long.</summary>
    private void Merge(ReadOnlySpan<long> counts, int stride, long scans)
    {
        int count = Classes.Count;
        lock (gate)
        {
            for (int row = 0; row < count; row++)
            {
                for (int column = 0; column < count; column++)
                {
                    cells[(row * count) + column] += counts[(row * stride) + column];
                }
            }

            scanCount += scans;
        }
    }

    private static string UnknownIdProblem(uint label) =>
        $"semantic id {KittiLabelFile.SemanticId(label)} (label 0x{label:X8}) is not in the learning map";
}
