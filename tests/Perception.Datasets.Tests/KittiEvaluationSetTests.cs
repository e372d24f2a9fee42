using Perception.Datasets.Evaluation;
using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Tests;

public sealed class KittiEvaluationSetTests : IDisposable
{
    private readonly ScratchFolder scratch = new();

    public void Dispose() => scratch.Dispose();

    [Theory]
    [InlineData("sequences/08/predictions")]
    [InlineData("08/predictions")]
    [InlineData("")]
    public void Prediction_layouts_are_found(string layout)
    {
        string dataset = Dataset(("08", 3));
        string predictions = Predictions("08", layout, "000000", "000001", "000002");

        KittiEvaluationSet set = KittiEvaluationSet.Match(dataset, predictions, ["08"]);

        Assert.Equal(Path.GetFullPath(Path.Combine(predictions, layout)), Path.TrimEndingDirectorySeparator(set.PredictionFolders[0]));
        Assert.Equal(["000000", "000001", "000002"], set.Frames.Select(f => f.Name));
        Assert.All(set.Frames, f => Assert.True(File.Exists(f.PredictionPath)));
        set.ThrowIfIncomplete();
    }

    [Fact]
    public void Bare_label_folder_is_only_for_one_sequence()
    {
        string dataset = Dataset(("08", 1), ("09", 1));
        string predictions = Predictions("08", "", "000000");

        DirectoryNotFoundException e = Assert.Throws<DirectoryNotFoundException>(
            () => KittiEvaluationSet.Match(dataset, predictions, ["08", "09"]));

        Assert.Contains("No predictions for sequence 08", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_and_extra_predictions_are_listed_and_refused()
    {
        string dataset = Dataset(("08", 3));
        string predictions = Predictions("08", "sequences/08/predictions", "000000", "000002", "000007");

        KittiEvaluationSet set = KittiEvaluationSet.Match(dataset, predictions, ["08"]);

        Assert.Equal(["000000", "000002"], set.Frames.Select(f => f.Name));
        Assert.Equal("000001", Assert.Single(set.MissingPredictions).Name);
        Assert.EndsWith("000007.label", Assert.Single(set.ExtraPredictions), StringComparison.Ordinal);
        FileNotFoundException e = Assert.Throws<FileNotFoundException>(() => set.ThrowIfIncomplete(" hint"));
        Assert.Equal(set.MissingPredictions[0].PredictionPath, e.FileName);
        Assert.EndsWith("(1 of 3 labelled scans have none). hint", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extra_prediction_alone_is_refused()
    {
        string dataset = Dataset(("08", 1));
        string predictions = Predictions("08", "sequences/08/predictions", "000000", "000009");

        DatasetFormatException e = Assert.Throws<DatasetFormatException>(
            () => KittiEvaluationSet.Match(dataset, predictions, ["08"]).ThrowIfIncomplete());

        Assert.EndsWith("000009.label", e.FilePath, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_without_labels_is_a_missing_label()
    {
        string dataset = Dataset(("08", 2));
        File.Delete(Path.Combine(dataset, "sequences", "08", "labels", "000001.label"));
        string predictions = Predictions("08", "08/predictions", "000000", "000001");

        KittiEvaluationSet set = KittiEvaluationSet.Match(dataset, predictions, ["08"]);

        Assert.Equal("000001", Assert.Single(set.MissingLabels).Name);
        Assert.Equal(1, set.SkippedCount);
        Assert.Empty(set.ExtraPredictions);
        Assert.Throws<FileNotFoundException>(() => set.ThrowIfIncomplete());
    }

    [Theory]
    [InlineData("09", "no such sequence folder")]
    [InlineData("nolabels", "no labels folder")]
    public void Missing_sequence_or_labels_folder_is_named(string sequence, string problem)
    {
        string dataset = Dataset(("08", 1));
        if (sequence == "nolabels")
        {
            Directory.Delete(Path.Combine(dataset, "sequences", "08", "labels"), recursive: true);
            sequence = "08";
        }

        DirectoryNotFoundException e = Assert.Throws<DirectoryNotFoundException>(
            () => KittiEvaluationSet.Match(dataset, Predictions("08", "", "000000"), [sequence]));

        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    private string Dataset(params (string Sequence, int Scans)[] sequences)
    {
        string root = scratch.File("dataset");
        foreach ((string sequence, int scans) in sequences)
        {
            string folder = Path.Combine(root, "sequences", sequence);
            Directory.CreateDirectory(Path.Combine(folder, "velodyne"));
            Directory.CreateDirectory(Path.Combine(folder, "labels"));
            for (int i = 0; i < scans; i++)
            {
                KittiScanFile.Write(Path.Combine(folder, "velodyne", $"{i:000000}.bin"), new float[8]);
                KittiLabelFile.Write(Path.Combine(folder, "labels", $"{i:000000}.label"), [10, 40]);
            }
        }

        return root;
    }

    private string Predictions(string sequence, string layout, params string[] names)
    {
        string root = scratch.File("predictions-" + sequence);
        string folder = Directory.CreateDirectory(Path.Combine(root, layout)).FullName;
        foreach (string name in names)
        {
            KittiLabelFile.Write(Path.Combine(folder, name + ".label"), [10, 40]);
        }

        return root;
    }
}
