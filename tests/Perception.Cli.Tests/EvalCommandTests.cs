using System.Text.Json;
using Perception.Datasets.SemanticKitti;

namespace Perception.Cli.Tests;

/// <summary>
/// `perception eval semantickitti` on a tiny generated dataset: sequence 08 with three scans of car, road and
/// building points (raw ids 10, 40, 50, plus unlabeled 0), predictions in the benchmark layout.
/// </summary>
[Collection("cli")]
public sealed class EvalCommandTests : IDisposable
{
    private static readonly uint[][] Truth = [[10, 10, 40, 0, 50], [40, 40, 40], [10, 50, 50, 50, 0, 40]];

    private readonly string root = Directory.CreateTempSubdirectory("perception-eval-").FullName;

    public EvalCommandTests()
    {
        for (int scan = 0; scan < Truth.Length; scan++)
        {
            KittiScanFile.Write(Path.Combine(Folder("dataset/sequences/08/velodyne"), Name(scan) + ".bin"),
                new float[Truth[scan].Length * 4]);
            KittiLabelFile.Write(Path.Combine(Folder("dataset/sequences/08/labels"), Name(scan) + ".label"), Truth[scan]);
            WritePrediction(scan, Truth[scan]);
        }
    }

    private string Dataset => Path.Combine(root, "dataset");

    private string Predictions => Path.Combine(root, "predictions");

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Perfect_predictions_score_one_on_present_classes()
    {
        string json = Path.Combine(root, "scores.json");

        (int code, string output) = Run("--json", json);

        Assert.Equal(0, code);
        Assert.Contains("mIoU 15.79", output, StringComparison.Ordinal); // 3 of 19 classes present, each 1
        using JsonDocument scores = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("official", scores.RootElement.GetProperty("variant").GetString());
        Assert.Equal(3.0 / 19, scores.RootElement.GetProperty("miou").GetDouble(), 1e-12);
        Assert.Equal(3, scores.RootElement.GetProperty("scans").GetInt32());
        Assert.Equal(12, scores.RootElement.GetProperty("evaluated_points").GetInt32());
        Dictionary<string, double> iou = scores.RootElement.GetProperty("classes").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("iou").GetDouble());
        Assert.Equal(19, iou.Count);
        Assert.All(["car", "road", "building"], name => Assert.Equal(1, iou[name], 1e-12));
        Assert.Equal(0, iou["person"]);
    }

    [Fact]
    public void Spvnas_variant_scores_classes_without_ground_truth_one()
    {
        string json = Path.Combine(root, "spvnas.json");

        Assert.Equal(0, Run("--variant", "spvnas", "--json", json).Code);

        using JsonDocument scores = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("spvnas", scores.RootElement.GetProperty("variant").GetString());
        Assert.Equal(1, scores.RootElement.GetProperty("miou").GetDouble(), 1e-12);
    }

    [Fact]
    public void Wrong_predictions_lower_the_iou()
    {
        WritePrediction(1, [40, 40, 10]); // one road point predicted car
        string json = Path.Combine(root, "scores.json");

        Assert.Equal(0, Run("--json", json).Code);

        using JsonDocument scores = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement[] classes = [.. scores.RootElement.GetProperty("classes").EnumerateArray()];
        // car: TP 3, FP 1; road: TP 4, FN 1
        Assert.Equal(3 / 4.0, classes.Single(c => c.GetProperty("name").GetString() == "car").GetProperty("iou").GetDouble(), 1e-12);
        Assert.Equal(4 / 5.0, classes.Single(c => c.GetProperty("name").GetString() == "road").GetProperty("iou").GetDouble(), 1e-12);
    }

    [Fact]
    public void Missing_prediction_file_is_refused_with_its_name()
    {
        string missing = Path.Combine(Predictions, "sequences", "08", "predictions", "000001.label");
        File.Delete(missing);

        (int code, string output) = Run();

        Assert.Equal(2, code);
        Assert.Contains("000001.label", output, StringComparison.Ordinal);
        Assert.Contains("--allow-missing", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Allow_missing_skips_and_reports_the_frame()
    {
        File.Delete(Path.Combine(Predictions, "sequences", "08", "predictions", "000001.label"));
        string json = Path.Combine(root, "scores.json");

        (int code, string output) = Run("--allow-missing", "--json", json);

        Assert.Equal(0, code);
        Assert.Contains("skipped 1 frames", output, StringComparison.Ordinal);
        using JsonDocument scores = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(1, scores.RootElement.GetProperty("skipped_frames").GetInt32());
        Assert.Equal(2, scores.RootElement.GetProperty("scans").GetInt32());
    }

    [Fact]
    public void Extra_prediction_file_is_refused()
    {
        WritePrediction(7, [10]);

        (int code, string output) = Run();

        Assert.Equal(2, code);
        Assert.Contains("000007.label", output, StringComparison.Ordinal);
        Assert.Equal(0, Run("--allow-missing").Code);
    }

    [Fact]
    public void Label_count_mismatch_is_refused_with_the_file()
    {
        WritePrediction(2, [10, 50, 50]);

        (int code, string output) = Run("--allow-missing");

        Assert.Equal(2, code);
        Assert.Contains("000002.label: holds 3 labels but its scan has 6 points", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_label_id_is_refused_with_the_file_and_point()
    {
        WritePrediction(0, [10, 10, 40, 0, 77]);

        (int code, string output) = Run();

        Assert.Equal(2, code);
        Assert.Contains("000000.label: point 4: semantic id 77", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_files_directly_in_the_folder_serve_one_sequence()
    {
        string flat = Folder("flat");
        for (int scan = 0; scan < Truth.Length; scan++)
        {
            KittiLabelFile.Write(Path.Combine(flat, Name(scan) + ".label"), Truth[scan]);
        }

        (int code, string output) = Run(["--predictions", flat, "--split", "8"], withPredictions: false);

        Assert.Equal(0, code);
        Assert.Contains("3 scans", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_config_from_yaml_replaces_the_map()
    {
        // car and road only; building (50) maps to road here.
        string yaml = Path.Combine(root, "two.yaml");
        File.WriteAllText(yaml, """
            labels: {0: unlabeled, 10: car, 40: road, 50: building}
            learning_map: {0: 0, 10: 1, 40: 2, 50: 2}
            learning_map_inv: {0: 0, 1: 10, 2: 40}
            learning_ignore: {0: True, 1: False, 2: False}
            """);
        string json = Path.Combine(root, "scores.json");

        Assert.Equal(0, Run("--config", yaml, "--json", json).Code);

        using JsonDocument scores = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(2, scores.RootElement.GetProperty("classes").GetArrayLength());
        Assert.Equal(1, scores.RootElement.GetProperty("miou").GetDouble(), 1e-12);
    }

    [Theory]
    [InlineData("--split", "validation")]
    [InlineData("--split", "09")]
    [InlineData("--json", "/no/such/folder/scores.json")]
    [InlineData("--config", "/no/such/semantic-kitti.yaml")]
    public void Bad_options_are_clear_errors(string option, string value) =>
        Assert.Equal(2, Run(option, value).Code);

    [Fact]
    public void Malformed_yaml_is_named()
    {
        string yaml = Path.Combine(root, "bad.yaml");
        File.WriteAllText(yaml, "labels: [unclosed");

        (int code, string output) = Run("--config", yaml);

        Assert.Equal(2, code);
        Assert.Contains("bad.yaml", output, StringComparison.Ordinal);
    }

    private (int Code, string Output) Run(params string[] options) => Run(options, withPredictions: true);

    private (int Code, string Output) Run(string[] options, bool withPredictions)
    {
        string[] args = ["eval", "semantickitti", "--dataset", Dataset, .. withPredictions ? ["--predictions", Predictions] : Array.Empty<string>(), .. options];
        return CliOutput.Run(args);
    }

    private void WritePrediction(int scan, uint[] labels) =>
        KittiLabelFile.Write(Path.Combine(Folder("predictions/sequences/08/predictions"), Name(scan) + ".label"), labels);

    private string Folder(string relative) => Directory.CreateDirectory(Path.Combine(root, relative)).FullName;

    private static string Name(int scan) => $"{scan:000000}";
}
