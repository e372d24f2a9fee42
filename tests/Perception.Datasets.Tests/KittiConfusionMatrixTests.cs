using System.Text.Json;
using Perception.Datasets.Evaluation;
using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Tests;

public class KittiConfusionMatrixTests
{
    private static readonly uint[] RawIds = [0, 1, 10, 11, 13, 15, 16, 18, 20, 30, 31, 32, 40, 44, 48, 49, 50, 51, 52,
        60, 70, 71, 72, 80, 81, 99, 252, 253, 254, 255, 256, 257, 258, 259];

    // Every length around the 4-way unrolled loop's tail, and one long scan.
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(123_457)]
    public void Matrix_equals_a_point_by_point_count(int points)
    {
        (uint[] prediction, uint[] truth) = RandomScan(points, seed: points);
        var matrix = new KittiConfusionMatrix(EvaluationClasses.Official);

        matrix.Add(prediction, truth);

        var expected = new long[20, 20];
        for (int i = 0; i < points; i++)
        {
            expected[KittiLearningMap.Official.ToClass(prediction[i]), KittiLearningMap.Official.ToClass(truth[i])]++;
        }

        for (int p = 0; p < 20; p++)
        {
            for (int t = 0; t < 20; t++)
            {
                Assert.True(expected[p, t] == matrix[p, t], $"cell ({p}, {t}): {matrix[p, t]}, expected {expected[p, t]}");
            }
        }

        Assert.Equal(1, matrix.ScanCount);
    }

    [Fact]
    public void Adding_from_many_threads_equals_adding_in_order()
    {
        var serial = new KittiConfusionMatrix(EvaluationClasses.Official);
        var parallel = new KittiConfusionMatrix(EvaluationClasses.Official);
        (uint[] Prediction, uint[] Truth)[] scans = Enumerable.Range(0, 16).Select(s => RandomScan(5000 + s, s)).ToArray();

        foreach ((uint[] prediction, uint[] truth) in scans)
        {
            serial.Add(prediction, truth);
        }

        Parallel.ForEach(scans, scan => parallel.Add(scan.Prediction, scan.Truth));

        Assert.Equal(serial.Score(IouVariant.Official), parallel.Score(IouVariant.Official), ReportComparer.Instance);
        Assert.Equal(16, parallel.ScanCount);
    }

    [Fact]
    public void Matrices_merge()
    {
        var whole = new KittiConfusionMatrix(EvaluationClasses.Official);
        var first = new KittiConfusionMatrix(EvaluationClasses.Official);
        var second = new KittiConfusionMatrix(EvaluationClasses.Official);
        (uint[] p1, uint[] t1) = RandomScan(300, 1);
        (uint[] p2, uint[] t2) = RandomScan(400, 2);
        whole.Add(p1, t1);
        whole.Add(p2, t2);
        first.Add(p1, t1);
        second.Add(p2, t2);

        first.Add(second);

        Assert.Equal(whole.Score(IouVariant.Official), first.Score(IouVariant.Official), ReportComparer.Instance);
        Assert.Throws<ArgumentException>(() => first.Add(new KittiConfusionMatrix(EvaluationClasses.Spvnas)));
    }

    [Theory]
    [InlineData("10 10 10", "10 300 10", "predictions", "Point 1: semantic id 300")]
    [InlineData("10 10 7", "10 10 10", "groundTruth", "Point 2: semantic id 7")]
    public void Unknown_ids_are_refused_and_nothing_is_counted(string truth, string prediction, string parameter,
        string message)
    {
        var matrix = new KittiConfusionMatrix(EvaluationClasses.Official);

        ArgumentException e = Assert.Throws<ArgumentException>(
            () => matrix.Add(KittiIouTests.Labels(prediction), KittiIouTests.Labels(truth)));

        Assert.Equal(parameter, e.ParamName);
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
        Assert.Equal(0, matrix.ScanCount);
        Assert.Equal(0, matrix.Score(IouVariant.Official).EvaluatedPoints);
    }

    [Fact]
    public void Lengths_must_match() =>
        Assert.Throws<ArgumentException>(() =>
            new KittiConfusionMatrix(EvaluationClasses.Official).Add(new uint[3], new uint[4]));

    [Theory]
    [InlineData("truth", 5, 4, "holds 5 labels but its scan has 4 points")]
    [InlineData("prediction", 4, 3, "holds 3 labels but its scan has 4 points")]
    public void Frame_with_wrong_label_count_names_the_file(string culprit, int truthCount, int predictionCount,
        string problem)
    {
        using var scratch = new ScratchFolder();
        KittiFrame frame = WriteFrame(scratch, points: 4, new uint[truthCount], new uint[predictionCount]);

        DatasetFormatException e = Assert.Throws<DatasetFormatException>(
            () => new KittiConfusionMatrix(EvaluationClasses.Official).AddFrame(frame));

        Assert.Equal(culprit == "truth" ? frame.LabelPath : frame.PredictionPath, e.FilePath);
        Assert.Equal(problem, e.Problem);
    }

    [Fact]
    public void Frame_with_unknown_id_names_the_file_and_point()
    {
        using var scratch = new ScratchFolder();
        KittiFrame frame = WriteFrame(scratch, points: 3, [10, 10, 10], [10, 10, 0x0002_0005]);

        DatasetFormatException e = Assert.Throws<DatasetFormatException>(
            () => new KittiConfusionMatrix(EvaluationClasses.Official).AddFrame(frame));

        Assert.Equal(frame.PredictionPath, e.FilePath);
        Assert.Equal("point 2: semantic id 5 (label 0x00020005) is not in the learning map", e.Problem);
    }

    [Fact]
    public void Frame_from_files_counts_like_spans()
    {
        using var scratch = new ScratchFolder();
        (uint[] prediction, uint[] truth) = RandomScan(1001, 7);
        KittiFrame frame = WriteFrame(scratch, 1001, truth, prediction);
        var fromFiles = new KittiConfusionMatrix(EvaluationClasses.Official);
        var fromSpans = new KittiConfusionMatrix(EvaluationClasses.Official);

        fromFiles.AddFrame(frame);
        fromSpans.Add(prediction, truth);

        Assert.Equal(fromSpans.Score(IouVariant.Official), fromFiles.Score(IouVariant.Official), ReportComparer.Instance);
    }

    [Fact]
    public void Report_json_round_trips()
    {
        using var scratch = new ScratchFolder();
        var matrix = new KittiConfusionMatrix(EvaluationClasses.Official);
        matrix.Add(KittiIouTests.Labels("10 10 40 0"), KittiIouTests.Labels("10 40 40 10"));
        IouReport report = matrix.Score(IouVariant.Official) with { SkippedFrames = 3 };

        report.WriteJson(scratch.File("scores.json"));

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(scratch.File("scores.json")));
        JsonElement root = json.RootElement;
        Assert.Equal("official", root.GetProperty("variant").GetString());
        Assert.Equal(report.MeanIou, root.GetProperty("miou").GetDouble());
        Assert.Equal(report.Accuracy, root.GetProperty("accuracy").GetDouble());
        Assert.Equal(3, root.GetProperty("skipped_frames").GetInt32());
        Assert.Equal(1, root.GetProperty("scans").GetInt32());
        JsonElement road = root.GetProperty("classes").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "road");
        Assert.Equal((9, 1 / (2 + 1e-15), 1, 0, 1), (road.GetProperty("index").GetInt32(), road.GetProperty("iou").GetDouble(),
            road.GetProperty("tp").GetInt32(), road.GetProperty("fp").GetInt32(), road.GetProperty("fn").GetInt32()));
        Assert.Single(Directory.GetFiles(scratch.Root)); // no temporary file left behind
    }

    internal static (uint[] Prediction, uint[] Truth) RandomScan(int points, int seed)
    {
        var random = new Random(seed);
        var prediction = new uint[points];
        var truth = new uint[points];
        for (int i = 0; i < points; i++)
        {
            truth[i] = RawIds[random.Next(RawIds.Length)] | ((uint)random.Next(1 << 16) << 16);
            prediction[i] = random.Next(3) == 0 ? RawIds[random.Next(RawIds.Length)] : truth[i] & 0xFFFF;
        }

        return (prediction, truth);
    }

    private static KittiFrame WriteFrame(ScratchFolder scratch, int points, uint[] truth, uint[] prediction)
    {
        string scan = scratch.File("000000.bin");
        KittiScanFile.Write(scan, new float[points * 4]);
        KittiLabelFile.Write(scratch.File("000000.label"), truth);
        KittiLabelFile.Write(scratch.File("000000.prediction.label"), prediction);
        return new KittiFrame("08", "000000", scan, scratch.File("000000.label"), scratch.File("000000.prediction.label"),
            HasLabels: true);
    }

    /// <summary>Reports are equal when every number is (records compare lists by reference).</summary>
    private sealed class ReportComparer : IEqualityComparer<IouReport>
    {
        public static readonly ReportComparer Instance = new();

        public bool Equals(IouReport? x, IouReport? y) =>
            x is not null && y is not null && x.Classes.SequenceEqual(y.Classes)
            && (x.Variant, x.MeanIou, x.Accuracy, x.EvaluatedPoints) == (y.Variant, y.MeanIou, y.Accuracy, y.EvaluatedPoints);

        public int GetHashCode(IouReport obj) => obj.MeanIou.GetHashCode();
    }
}
