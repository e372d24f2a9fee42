using Perception.Datasets.SemanticKitti;
using Perception.Viewer.Cameras;
using Perception.Viewer.Imaging;
using Perception.Viewer.Rendering;
using Perception.Viewer.Scenes;

namespace Perception.Viewer.Tests;

/// <summary>
/// The legend drawn inside the picture. Where its swatches land is written out here from the layout's rules rather
/// than asked of <see cref="LegendLayout"/>: the panel starts 2 cells from the corner, its contents 2 cells further,
/// rows are 10 cells apart (a 7-cell glyph and a 3-cell gap), and a cell is max(1, (shorter side + 200) / 400) pixels.
/// </summary>
public sealed class LegendTests
{
    [Theory]
    [InlineData(200, 150, 1)]
    [InlineData(900, 700, 2)]
    public void Each_class_of_the_street_has_its_swatch_in_its_row(int width, int height, int cell)
    {
        RgbImage picture = Render(TestScenes.Street(), width, height, SceneLayers.All);
        int[] classes = [1, 9, 13, 18]; // car, road, building, pole: the street's classes in class order
        for (int row = 0; row < classes.Length; row++)
        {
            (byte r, byte g, byte b) = KittiClassColors.Of(classes[row]);
            int left = 4 * cell, top = (4 + (10 * row)) * cell, side = 7 * cell;
            for (int y = top; y < top + side; y++)
            {
                for (int x = left; x < left + side; x++)
                {
                    Assert.True(picture[x, y] == (r, g, b), $"swatch {row} ({classes[row]}) pixel ({x}, {y}) is {picture[x, y]}");
                }
            }

            // Outside the swatch, one cell to its left, is the panel.
            Rgb panel = LegendLayout.PanelColor;
            Assert.Equal((panel.R, panel.G, panel.B), picture[left - cell, top]);
        }

        Rgb text = LegendLayout.TextColor;
        Assert.True(Count(picture, (text.R, text.G, text.B)) > 4 * 10 * cell * cell, "the class names should be drawn");
    }

    [Fact]
    public void Without_the_legend_layer_no_panel_or_text_is_drawn()
    {
        RgbImage picture = Render(TestScenes.Street(), 200, 150, SceneLayers.All & ~SceneLayers.Legend);
        Assert.Equal(0, Count(picture, (LegendLayout.PanelColor.R, LegendLayout.PanelColor.G, LegendLayout.PanelColor.B)));
        Assert.Equal(0, Count(picture, (LegendLayout.TextColor.R, LegendLayout.TextColor.G, LegendLayout.TextColor.B)));
    }

    [Fact]
    public void A_height_coloured_scene_has_no_legend()
    {
        Scene scene = SceneBuilder.Build(TestScenes.Street().Cloud, PointColoring.Height);
        RgbImage picture = Render(scene, 200, 150, SceneLayers.All);
        Assert.Equal(0, Count(picture, (LegendLayout.PanelColor.R, LegendLayout.PanelColor.G, LegendLayout.PanelColor.B)));
    }

    [Fact]
    public void The_font_has_a_glyph_for_every_character_of_every_class_name()
    {
        for (int c = 0; c <= KittiLearningMap.ClassCount; c++)
        {
            foreach (char character in KittiLearningMap.Official.ClassName(c))
            {
                // '?' is the glyph of characters the font lacks; no class name contains one.
                bool sameAsUnknown = Enumerable.Range(0, BitmapFont.GlyphWidth * BitmapFont.GlyphHeight).All(
                    i => BitmapFont.IsLit(character, i % 5, i / 5) == BitmapFont.IsLit('?', i % 5, i / 5));
                Assert.False(sameAsUnknown, $"'{character}' of {KittiLearningMap.Official.ClassName(c)} has no glyph");
            }
        }
    }

    internal static int Count(RgbImage picture, (byte, byte, byte) color)
    {
        int count = 0;
        for (int p = 0; p < picture.Width * picture.Height; p++)
        {
            count += (picture.Pixels[p * 3], picture.Pixels[(p * 3) + 1], picture.Pixels[(p * 3) + 2]) == color ? 1 : 0;
        }

        return count;
    }

    private static RgbImage Render(Scene scene, int width, int height, SceneLayers layers)
    {
        using HeadlessRenderer renderer = HeadlessRenderer.Create();
        return renderer.Render(scene, new RenderOptions
        {
            Camera = new CameraSpec(CameraKind.Bev), Width = width, Height = height, Layers = layers,
        });
    }
}
