using BenchmarkDotNet.Attributes;
using Perception.Datasets.Evaluation;

namespace TorchSparse.Benchmarks;

/// <summary>
/// SemanticKITTI scoring throughput: raw prediction and ground-truth labels of 16 generated scans of 120,000 points
/// (runs of one class, 10% wrong predictions, instance bits set) counted into the confusion matrix. Reported per
/// point (OperationsPerInvoke), so 1e9 / mean ns is points per second.
/// </summary>
public class EvaluationBenchmarks
{
    private const int Points = 120_000;
    private const int Scans = 16;
    private static readonly uint[] RawIds = [0, 10, 11, 30, 40, 44, 48, 50, 51, 70, 71, 72, 80, 81, 252];
    private uint[][] predictions = null!;
    private uint[][] truths = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        predictions = new uint[Scans][];
        truths = new uint[Scans][];
        for (int s = 0; s < Scans; s++)
        {
            predictions[s] = new uint[Points];
            truths[s] = new uint[Points];
            uint current = RawIds[0];
            for (int i = 0; i < Points; i++)
            {
                current = random.Next(50) == 0 ? RawIds[random.Next(RawIds.Length)] : current;
                truths[s][i] = current | ((uint)random.Next(4) << 16);
                predictions[s][i] = random.Next(10) == 0 ? RawIds[random.Next(RawIds.Length)] : current;
            }
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Points * Scans)]
    public long OneThread()
    {
        var matrix = new KittiConfusionMatrix(EvaluationClasses.Official);
        for (int s = 0; s < Scans; s++)
        {
            matrix.Add(predictions[s], truths[s]);
        }

        return matrix.ScanCount;
    }

    [Benchmark(OperationsPerInvoke = Points * Scans)]
    public long ScansInParallel()
    {
        var matrix = new KittiConfusionMatrix(EvaluationClasses.Official);
        Parallel.For(0, Scans, s => matrix.Add(predictions[s], truths[s]));
        return matrix.ScanCount;
    }
}
