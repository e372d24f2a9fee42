using System.Numerics;
using Perception.Datasets.SemanticKitti;
using Perception.Viewer.Cameras;
using Perception.Viewer.Imaging;
using Perception.Viewer.Rendering;
using Perception.Viewer.Scenes;

namespace Perception.Viewer.Tests;

/// <summary>
/// Predictions against the truth on a 5x5 grid of road points 2 m apart, three predicted wrong and one unlabeled in the
/// truth. Where points land is computed here as in <see cref="BevProjectionTests"/>: the farthest coordinate is 4 m,
/// so the bird's-eye view shows ±4.2 m over the 101 pixels of each side; a 3-pixel point covers the pixels whose
/// centres lie within 1.5 pixels of its projection on both axes.
/// </summary>
public sealed class ErrorViewTests
{
    private const int Size = 101;
    private const float Half = 4 * 1.05f;
    private const int Road = 9;
    private const int Car = 1;
    private static readonly int[] WrongPoints = [0, 7, 18];
    private const int UnlabeledPoint = 12;

    [Fact]
    public void Red_pixels_are_exactly_where_the_wrong_points_project()
    {
        ScanComparison comparison = Grid();
        RgbImage picture = Render(comparison.Panels(ComparisonView.Errors)[0], SceneLayers.Points);

        HashSet<(int, int)> expected = [.. WrongPoints.SelectMany(p => Covered(Position(p)))];
        HashSet<(int, int)> red = Pixels(picture, ScanComparison.WrongColor);
        Assert.Equal(3 * 9, expected.Count);
        Assert.True(expected.SetEquals(red), $"red at {string.Join(' ', red.Except(expected))}, missing at "
            + string.Join(' ', expected.Except(red)));
        Assert.True(Pixels(picture, ScanComparison.NotScoredColor).SetEquals(Covered(Position(UnlabeledPoint))));
        Assert.Equal(21 * 9, Pixels(picture, ScanComparison.CorrectColor).Count);
    }

    [Fact]
    public void Accuracy_leaves_out_the_points_unlabeled_in_the_truth_and_heads_the_legend()
    {
        ScanComparison comparison = Grid();
        Assert.Equal((24, 3), (comparison.Scored, comparison.Wrong));
        Assert.Equal(21 / 24.0, comparison.Accuracy, 12);
        Scene errors = comparison.Panels(ComparisonView.Errors)[0];
        Assert.Equal("accuracy 87.5%", errors.LegendTitle);
        Assert.Equal(["correct", "wrong", "not scored"], errors.Legend.Select(e => e.Name));
        Assert.Equal([21, 3, 1], errors.Legend.Select(e => e.Points));
    }

    [Fact]
    public void Side_by_side_shows_the_truth_left_and_the_prediction_right_at_the_same_place()
    {
        IReadOnlyList<Scene> panels = Grid().Panels(ComparisonView.SideBySide);
        Assert.Equal(["truth", "prediction"], panels.Select(p => p.LegendTitle));
        using HeadlessRenderer renderer = HeadlessRenderer.Create();
        RgbImage picture = renderer.Render(panels, Options(SceneLayers.Points));
        Assert.Equal(2 * Size + 8, picture.Width);

        (int col, int row) = Covered(Position(WrongPoints[1])).First();
        Assert.Equal(KittiClassColors.Of(Road), picture[col, row]);
        Assert.Equal(KittiClassColors.Of(Car), picture[col + Size + 8, row]);
    }

    /// <summary>Point p of the grid sits at x = 2 (p mod 5) − 4, y = 2 (p div 5) − 4.</summary>
    private static Vector3 Position(int p) => new((2 * (p % 5)) - 4, (2 * (p / 5)) - 4, 0);

    private static ScanComparison Grid()
    {
        int[] truth = [.. Enumerable.Range(0, 25).Select(p => p == UnlabeledPoint ? 0 : Road)];
        int[] predicted = [.. Enumerable.Range(0, 25).Select(p => WrongPoints.Contains(p) ? Car : Road)];
        float[] xyz = [.. Enumerable.Range(0, 25).SelectMany(p => new[] { Position(p).X, Position(p).Y, 0f })];
        return new ScanComparison(new SceneCloud("grid", xyz, null, truth, 0, predicted));
    }

    private static IEnumerable<(int Col, int Row)> Covered(Vector3 point)
    {
        float col = (point.X + Half) / (2 * Half) * Size, row = (Half - point.Y) / (2 * Half) * Size;
        IEnumerable<int> Near(float centre)
        {
            // Pixel i (centre i + 0.5) is covered when i + 0.5 > centre - 1.5, so from i = ceil(centre - 2); the grid
            // is chosen so that no centre sits on an edge, where rasterisers may differ.
            Assert.True(MathF.Abs(centre - 2 - MathF.Round(centre - 2)) > 0.05f, $"a pixel centre on the edge at {centre}");
            int first = (int)MathF.Ceiling(centre - 2);
            return Enumerable.Range(first, 3);
        }

        return Near(col).SelectMany(c => Near(row).Select(r => (c, r)));
    }

    private static HashSet<(int, int)> Pixels(RgbImage picture, Rgb color)
    {
        var found = new HashSet<(int, int)>();
        for (int row = 0; row < picture.Height; row++)
        {
            for (int col = 0; col < picture.Width; col++)
            {
                if (picture[col, row] == (color.R, color.G, color.B))
                {
                    found.Add((col, row));
                }
            }
        }

        return found;
    }

    private static RenderOptions Options(SceneLayers layers) => new()
    {
        Camera = new CameraSpec(CameraKind.Bev), Width = Size, Height = Size, PointSize = 3, Layers = layers,
    };

    private static RgbImage Render(Scene scene, SceneLayers layers)
    {
        using HeadlessRenderer renderer = HeadlessRenderer.Create();
        return renderer.Render(scene, Options(layers));
    }
}
