using System.Text.Json;
using Perception.Datasets.Evaluation;
using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Tests;

/// <summary>
/// Scores against an independent oracle: Fixtures/kitti_eval_oracle.py implements np_ioueval.py's and spvnas
/// MeanIoU's arithmetic literally in numpy over generated scans (every raw id, instance bits, predictions of 0 and of
/// ignored ids, a class absent from both sides, one present only in predictions) and wrote kitti_eval/expected.json.
/// </summary>
public class KittiOracleTests
{
    private const double Tolerance = 1e-12;

    [Theory]
    [InlineData(IouVariant.Official)]
    [InlineData(IouVariant.Spvnas)]
    public void Scores_match_the_numpy_oracle(IouVariant variant)
    {
        using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(Fixture.Path("kitti_eval/expected.json")));
        var matrix = new KittiConfusionMatrix(EvaluationClasses.For(variant));
        foreach (JsonElement scan in expected.RootElement.GetProperty("scans").EnumerateArray())
        {
            uint[] truth = KittiLabelFile.Read(Fixture.Path("kitti_eval/" + scan.GetProperty("truth").GetString()));
            uint[] prediction = KittiLabelFile.Read(Fixture.Path("kitti_eval/" + scan.GetProperty("prediction").GetString()));
            matrix.Add(prediction, truth);
        }

        IouReport report = matrix.Score(variant);

        JsonElement oracle = expected.RootElement.GetProperty(variant == IouVariant.Spvnas ? "spvnas" : "official");
        double[] ious = oracle.GetProperty("iou").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(19, report.Classes.Count);
        foreach (ClassIou c in report.Classes)
        {
            Assert.True(Math.Abs(ious[c.ClassIndex] - c.Iou) <= Tolerance,
                $"{variant} {c.Name} (class {c.ClassIndex}): {c.Iou:R}, oracle {ious[c.ClassIndex]:R}");
        }

        Assert.Equal(oracle.GetProperty("miou").GetDouble(), report.MeanIou, Tolerance);
        if (variant == IouVariant.Official)
        {
            Assert.Equal(oracle.GetProperty("accuracy").GetDouble(), report.Accuracy, Tolerance);
        }
    }

    [Fact]
    public void Oracle_data_has_the_edge_cases_it_claims()
    {
        using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(Fixture.Path("kitti_eval/expected.json")));
        double[] official = expected.RootElement.GetProperty("official").GetProperty("iou").EnumerateArray()
            .Select(v => v.GetDouble()).ToArray();
        double[] spvnas = expected.RootElement.GetProperty("spvnas").GetProperty("iou").EnumerateArray()
            .Select(v => v.GetDouble()).ToArray();

        // bicyclist (official 7, spvnas 6) only predicted, motorcyclist (8 / 7) nowhere: 0 officially, 1 in spvnas
        Assert.Equal((0.0, 0.0), (official[7], official[8]));
        Assert.Equal((1.0, 1.0), (spvnas[6], spvnas[7]));
    }
}
