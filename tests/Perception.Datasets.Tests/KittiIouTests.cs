using System.Globalization;
using Perception.Datasets.Evaluation;

namespace Perception.Datasets.Tests;

/// <summary>
/// Hand-computed scores for constructed scans, under both rules. Raw ids: 0 unlabeled, 1 outlier, 52
/// other-structure (all ignored), 10 car, 40 road, 50 building, 60 lane-marking (road officially, ignored by spvnas).
/// Classes not listed score 0 (official: absent from both sides gives 0 / 1e-15) or 1 (spvnas: no ground truth).
/// </summary>
public class KittiIouTests
{
    private const double Tolerance = 1e-12;

    [Theory]
    // perfect prediction: the three present classes score 1; the 16 absent ones 0 officially, 1 in spvnas
    [InlineData("perfect", IouVariant.Official, "10 10 40 50", "10 10 40 50", "car=1 road=1 building=1", 3.0 / 19, 1.0)]
    [InlineData("perfect", IouVariant.Spvnas, "10 10 40 50", "10 10 40 50", "car=1 road=1 building=1", 1.0, 1.0)]
    // empty class: building predicted once but never true (official 0, spvnas 1); road true once, never predicted
    [InlineData("empty class", IouVariant.Official, "10 10 40", "10 10 50", "car=1 road=0 building=0", 1.0 / 19, 2.0 / 3)]
    [InlineData("empty class", IouVariant.Spvnas, "10 10 40", "10 10 50", "car=1 road=0 building=1", 18.0 / 19, 2.0 / 3)]
    // all wrong: every present class has TP 0
    [InlineData("all wrong", IouVariant.Official, "10 40 50", "40 50 10", "car=0 road=0 building=0", 0.0, 0.0)]
    [InlineData("all wrong", IouVariant.Spvnas, "10 40 50", "40 50 10", "car=0 road=0 building=0", 16.0 / 19, 0.0)]
    // ignored ground truth (unlabeled, outlier, other-structure): those points count nowhere, even as false positives
    [InlineData("ignore in truth", IouVariant.Official, "0 0 1 52 10", "10 40 10 50 10", "car=1 road=0 building=0", 1.0 / 19, 1.0)]
    [InlineData("ignore in truth", IouVariant.Spvnas, "0 0 1 52 10", "10 40 10 50 10", "car=1 road=1 building=1", 1.0, 1.0)]
    // absent from both: car never appears; road is perfect
    [InlineData("absent from both", IouVariant.Official, "40 40", "40 40", "car=0 road=1", 1.0 / 19, 1.0)]
    [InlineData("absent from both", IouVariant.Spvnas, "40 40", "40 40", "car=1 road=1", 1.0, 1.0)]
    // prediction 0 on a labelled car point: a false negative for car; officially not in the accuracy denominator
    [InlineData("prediction 0 on labelled point", IouVariant.Official, "10 10 40 40", "10 0 40 40", "car=0.5 road=1", 1.5 / 19, 1.0)]
    [InlineData("prediction 0 on labelled point", IouVariant.Spvnas, "10 10 40 40", "10 0 40 40", "car=0.5 road=1", 18.5 / 19, 0.75)]
    // lane-marking is road officially (a false negative here) but ignored by spvnas
    [InlineData("lane-marking", IouVariant.Official, "60 40", "10 40", "car=0 road=0.5", 0.5 / 19, 0.5)]
    [InlineData("lane-marking", IouVariant.Spvnas, "60 40", "10 40", "car=1 road=1", 1.0, 1.0)]
    // instance ids (high 16 bits) are ignored on both sides
    [InlineData("instance bits", IouVariant.Official, "0x0005000A 0x00010028", "0x0009000A 40", "car=1 road=1", 2.0 / 19, 1.0)]
    public void Scores_match_hand_computed(string scenario, IouVariant variant, string truth, string prediction,
        string expectedIous, double expectedMeanIou, double expectedAccuracy)
    {
        var matrix = new KittiConfusionMatrix(EvaluationClasses.For(variant));

        matrix.Add(Labels(prediction), Labels(truth));
        IouReport report = matrix.Score(variant);

        Dictionary<string, double> expected = expectedIous.Split(' ')
            .Select(entry => entry.Split('='))
            .ToDictionary(pair => pair[0], pair => double.Parse(pair[1], CultureInfo.InvariantCulture));
        Assert.Equal(19, report.Classes.Count);
        foreach (ClassIou c in report.Classes)
        {
            double want = expected.GetValueOrDefault(c.Name, variant == IouVariant.Spvnas ? 1 : 0);
            Assert.True(Math.Abs(want - c.Iou) <= Tolerance, $"{scenario}: {c.Name} IoU {c.Iou}, expected {want}");
        }

        Assert.Equal(expectedMeanIou, report.MeanIou, Tolerance);
        Assert.Equal(expectedAccuracy, report.Accuracy, Tolerance);
    }

    [Theory]
    [InlineData(IouVariant.Official, 1, 9)]
    [InlineData(IouVariant.Spvnas, 0, 8)]
    public void Classes_report_their_map_index(IouVariant variant, int carIndex, int roadIndex)
    {
        IouReport report = new KittiConfusionMatrix(EvaluationClasses.For(variant)).Score(variant);

        Assert.Equal(carIndex, report.Classes.Single(c => c.Name == "car").ClassIndex);
        Assert.Equal(roadIndex, report.Classes.Single(c => c.Name == "road").ClassIndex);
        Assert.DoesNotContain(report.Classes, c => c.Name == "unlabeled");
    }

    [Fact]
    public void Counts_behind_the_iou_are_reported()
    {
        var matrix = new KittiConfusionMatrix(EvaluationClasses.Official);
        matrix.Add(Labels("10 10 10 40 0"), Labels("10 10 40 10 10"));

        ClassIou car = matrix.Score(IouVariant.Official).Classes.Single(c => c.Name == "car");

        // truth car x4: predicted car twice (TP), road once, unlabeled once (FN 2); a road point predicted car (FP 1)
        Assert.Equal((2L, 1L, 2L), (car.TruePositives, car.FalsePositives, car.FalseNegatives));
        Assert.Equal(1, matrix[0, 1]);  // predicted unlabeled (slot 0), truth car (slot 1)
        Assert.Equal(5, matrix.Score(IouVariant.Official).EvaluatedPoints);
    }

    internal static uint[] Labels(string text) => text.Split(' ')
        .Select(t => t.StartsWith("0x", StringComparison.Ordinal)
            ? uint.Parse(t[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : uint.Parse(t, CultureInfo.InvariantCulture))
        .ToArray();
}
