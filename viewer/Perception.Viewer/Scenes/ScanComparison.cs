namespace Perception.Viewer.Scenes;

/// <summary>How a prediction is shown against the ground truth.</summary>
public enum ComparisonView
{
    /// <summary>Two panels coloured by class: the truth left, the prediction right.</summary>
    SideBySide,

    /// <summary>One panel: correct points grey, wrong ones red, points without a truth class dark blue.</summary>
    Errors,
}

/// <summary>
/// A scan's ground truth and a model's prediction for the same points, and the scenes that show them. Scoring follows
/// semantic-kitti-api: points whose truth is class 0 (unlabeled, outlier, ...) are not scored; accuracy is the share of
/// the others whose predicted class equals the truth.
/// </summary>
public sealed class ScanComparison
{
    public static readonly Rgb CorrectColor = new(150, 150, 150);
    public static readonly Rgb WrongColor = new(255, 0, 0);
    public static readonly Rgb NotScoredColor = new(50, 60, 130);

    private readonly SceneCloud cloud;
    private readonly IReadOnlyList<OrientedBox>? boxes;
    private IReadOnlyList<Scene>? sideBySide;
    private Scene? errors;

    /// <exception cref="SceneInputException">The cloud lacks labels or predictions.</exception>
    public ScanComparison(SceneCloud cloud, IReadOnlyList<OrientedBox>? boxes = null)
    {
        if (cloud.Classes is null || cloud.Predictions is null)
        {
            throw new SceneInputException(cloud.Source, cloud.Classes is null
                ? "comparing a prediction needs the ground-truth labels: no .label file beside the scan or in its "
                    + "sequence's labels folder, and none given"
                : "comparing needs the predictions' .label file");
        }

        (this.cloud, this.boxes) = (cloud, boxes);
        for (int p = 0; p < cloud.Count; p++)
        {
            bool scored = cloud.Classes[p] != 0;
            Scored += scored ? 1 : 0;
            Wrong += scored && cloud.Predictions[p] != cloud.Classes[p] ? 1 : 0;
        }
    }

    public SceneCloud Cloud => cloud;

    /// <summary>Points with a truth class other than 0.</summary>
    public int Scored { get; }

    /// <summary>Scored points whose predicted class is not the truth.</summary>
    public int Wrong { get; }

    /// <summary>Correct over scored points; NaN when nothing is scored.</summary>
    public double Accuracy => Scored == 0 ? double.NaN : (Scored - Wrong) / (double)Scored;

    /// <summary>The panels of <paramref name="view"/>, left to right; built once each.</summary>
    public IReadOnlyList<Scene> Panels(ComparisonView view) => view == ComparisonView.Errors
        ? [errors ??= ErrorScene()]
        : sideBySide ??= [ClassScene(cloud.Classes!, "truth"), ClassScene(cloud.Predictions!, "prediction")];

    private Scene ClassScene(int[] classes, string title)
    {
        var labelled = new SceneCloud(cloud.Source, cloud.Xyz, cloud.Intensity, classes, cloud.SkippedPoints);
        return SceneBuilder.Build(labelled, PointColoring.Class, boxes, title);
    }

    private Scene ErrorScene()
    {
        var colors = new byte[cloud.Count * 4];
        int notScored = cloud.Count - Scored;
        for (int p = 0; p < cloud.Count; p++)
        {
            Rgb c = cloud.Classes![p] == 0 ? NotScoredColor
                : cloud.Predictions![p] == cloud.Classes[p] ? CorrectColor : WrongColor;
            (colors[p * 4], colors[(p * 4) + 1], colors[(p * 4) + 2], colors[(p * 4) + 3]) = (c.R, c.G, c.B, 255);
        }

        // Entries that are not classes carry id -1; the legend lists only those with points.
        LegendEntry[] legend =
        [
            new(-1, "correct", CorrectColor, Scored - Wrong),
            new(-1, "wrong", WrongColor, Wrong),
            new(-1, "not scored", NotScoredColor, notScored),
        ];
        string title = Scored == 0 ? "nothing scored" : $"accuracy {Accuracy * 100:F1}%";
        return SceneBuilder.Assemble(cloud, PointColoring.Errors, colors, boxes, [.. legend.Where(e => e.Points > 0)], title);
    }
}
