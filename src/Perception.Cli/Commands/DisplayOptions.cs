using System.CommandLine;
using Perception.Viewer.Rendering;
using Perception.Viewer.Scenes;
using Perception.Viewer.Windowing;
using Spectre.Console;

namespace Perception.Cli.Commands;

/// <summary>What render and view show besides the scan: a prediction against the ground truth, and the legend.</summary>
internal sealed class DisplayOptions
{
    private readonly Option<string?> predictions = new("--predictions")
    {
        Description = "A model's predictions to compare with the ground-truth labels: a .label file (raw SemanticKITTI ids, "
            + "as `perception segment` and submissions write them) or a folder of NAME.label files for a sequence.",
    };

    private readonly Option<string> view = new("--view")
    {
        Description = "With --predictions: side-by-side (truth left, prediction right) or errors (correct grey, wrong red, "
            + "unlabeled in the truth dark blue); the window's E key switches.",
        DefaultValueFactory = _ => "side-by-side",
    };

    private readonly Option<bool> noLegend = new("--no-legend") { Description = "Leave out the legend drawn in the picture." };

    public void AddTo(Command command)
    {
        command.Options.Add(predictions);
        command.Options.Add(view);
        command.Options.Add(noLegend);
    }

    public string? Predictions(ParseResult parse) => parse.GetValue(predictions);

    public ComparisonView View(ParseResult parse) => parse.GetValue(view)!.ToLowerInvariant() switch
    {
        "side-by-side" => ComparisonView.SideBySide,
        "errors" => ComparisonView.Errors,
        var other => throw new ArgumentException($"--view: '{other}' is not side-by-side or errors."),
    };

    public SceneLayers Layers(ParseResult parse) =>
        parse.GetValue(noLegend) ? SceneLayers.All & ~SceneLayers.Legend : SceneLayers.All;

    /// <summary>The frame's points and legend, and a comparison's score as the error view's legend gives it.</summary>
    public static void Describe(ViewerFrame frame)
    {
        SceneInputOptions.Describe(frame.Scene);
        if (frame.Comparison is { } comparison)
        {
            Describe(comparison);
        }
    }

    private static void Describe(ScanComparison comparison) => AnsiConsole.MarkupLine(comparison.Scored == 0
        ? "Prediction: no point has a ground-truth class, nothing scored."
        : $"Prediction: [bold]accuracy {comparison.Accuracy * 100:F1}%[/] ({comparison.Scored - comparison.Wrong:N0} of "
            + $"{comparison.Scored:N0} labelled points right, {comparison.Wrong:N0} wrong; "
            + $"{comparison.Cloud.Count - comparison.Scored:N0} unlabeled in the truth, not scored).");
}
