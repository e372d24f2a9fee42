using Perception.Viewer;
using Perception.Viewer.Imaging;
using Perception.Viewer.Rendering;
using Perception.Viewer.Scenes;
using Spectre.Console;

namespace Perception.Cli.Imaging;

/// <summary>
/// Bird's-eye pictures of a scan's points coloured by SemanticKITTI class, drawn by the viewer's headless renderer
/// (the one way pictures are made). Several labellings of the same points (truth, prediction) go side by side.
/// </summary>
internal static class ClassPictures
{
    /// <summary>Writes the picture, or says why not when this machine has no headless GL: a missing picture must not
    /// cost the labels and scores the command has already written.</summary>
    /// <param name="path">The PNG to write.</param>
    /// <param name="xyzi">The scan, float [N * 4] rows.</param>
    /// <param name="size">Side of each square view in pixels.</param>
    /// <param name="labellings">Per view, the official SemanticKITTI class of every point (0 unlabeled, 1..19).</param>
    public static bool TryWrite(string path, float[] xyzi, int size, params int[][] labellings)
    {
        try
        {
            using HeadlessRenderer renderer = HeadlessRenderer.Create();
            var options = new RenderOptions { Width = size, Height = size, Layers = SceneLayers.Points | SceneLayers.Axes };
            RgbImage[] views = [.. labellings.Select(classes =>
                renderer.Render(SceneBuilder.Build(SceneCloud.FromRows(path, xyzi, 4, true, classes), PointColoring.Class), options))];
            (views.Length == 1 ? views[0] : RgbImage.SideBySide(views)).Save(path);
            return true;
        }
        catch (GlUnavailableException e)
        {
            AnsiConsole.MarkupLine($"[yellow]no picture:[/] {Markup.Escape(e.Message)}");
            return false;
        }
    }
}
