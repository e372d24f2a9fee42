using Perception.Viewer.Scenes;

namespace Perception.Viewer.Rendering;

/// <summary>
/// Where the legend goes in a picture, in whole pixels: a dark panel at the top-left corner holding an optional title
/// line and one row per entry (a colour swatch, then the name in <see cref="BitmapFont"/>). Everything is laid out on a
/// grid of square cells of <see cref="Scale"/> pixels, one cell per font pixel, so the renderer draws each cell as one
/// point sprite of that size and the tests can compute where every swatch lands.
/// </summary>
internal sealed class LegendLayout
{
    /// <summary>Cells from the picture's corner to the panel and from the panel's edge to its contents.</summary>
    public const int Margin = 2;
    public const int Padding = 2;

    /// <summary>A swatch is a square as tall as a glyph.</summary>
    public const int SwatchCells = BitmapFont.GlyphHeight;

    /// <summary>Cells between the swatch and the name, and between rows.</summary>
    public const int Gap = 3;

    public static readonly Rgb PanelColor = new(28, 28, 28);
    public static readonly Rgb TextColor = new(235, 235, 235);

    private readonly List<(int X, int Y, Rgb Color)> cells = [];
    private readonly List<(int X, int Y)> swatches = [];

    public LegendLayout(IReadOnlyList<LegendEntry> entries, string? title, int width, int height)
    {
        Scale = ScaleFor(width, height);
        int rows = entries.Count + (title is null ? 0 : 1);
        if (rows == 0)
        {
            return;
        }

        int textLeft = Margin + Padding + SwatchCells + Gap;
        int textWidth = Math.Max(entries.Select(e => BitmapFont.Width(e.Name)).DefaultIfEmpty(0).Max() + textLeft,
            BitmapFont.Width(title ?? "") + Margin + Padding);
        int panelRight = textWidth + Padding, panelBottom = Margin + Padding + (rows * RowPitch) - Gap + Padding;
        for (int y = Margin; y < panelBottom; y++)
        {
            for (int x = Margin; x < panelRight; x++)
            {
                cells.Add((x, y, PanelColor));
            }
        }

        int top = Margin + Padding;
        if (title is not null)
        {
            AddText(title, Margin + Padding, top);
            top += RowPitch;
        }

        foreach (LegendEntry entry in entries)
        {
            swatches.Add((Margin + Padding, top));
            for (int y = 0; y < SwatchCells; y++)
            {
                for (int x = 0; x < SwatchCells; x++)
                {
                    cells.Add((Margin + Padding + x, top + y, entry.Color));
                }
            }

            AddText(entry.Name, textLeft, top);
            top += RowPitch;
        }
    }

    /// <summary>Rows are a glyph tall with <see cref="Gap"/> cells between them.</summary>
    public static int RowPitch => BitmapFont.GlyphHeight + Gap;

    /// <summary>Pixels per cell: the shorter side over 400, rounded, at least 1 (1 below 600 pixels, 3 at 1200), so
    /// the legend stays readable on large renders and small on small ones.</summary>
    public int Scale { get; }

    /// <summary>Every cell in drawing order (panel, then swatches and text over it): top-left cell coordinates.
    /// </summary>
    public IReadOnlyList<(int X, int Y, Rgb Color)> Cells => cells;

    public static int ScaleFor(int width, int height) => Math.Max(1, (Math.Min(width, height) + 200) / 400);

    /// <summary>The pixel rectangle of entry <paramref name="index"/>'s swatch: left, top and side.</summary>
    public (int Left, int Top, int Side) SwatchPixels(int index) =>
        (swatches[index].X * Scale, swatches[index].Y * Scale, SwatchCells * Scale);

    /// <summary>The cells as point positions (pixel centres of each cell, x right and y down) and RGBA colours.</summary>
    public (float[] Positions, byte[] Colors) PointSprites()
    {
        var positions = new float[cells.Count * 3];
        var colors = new byte[cells.Count * 4];
        for (int i = 0; i < cells.Count; i++)
        {
            (int x, int y, Rgb color) = cells[i];
            (positions[i * 3], positions[(i * 3) + 1]) = (((x * Scale) + (Scale / 2f)), ((y * Scale) + (Scale / 2f)));
            (colors[i * 4], colors[(i * 4) + 1], colors[(i * 4) + 2], colors[(i * 4) + 3]) = (color.R, color.G, color.B, 255);
        }

        return (positions, colors);
    }

    private void AddText(string text, int left, int top)
    {
        foreach ((int column, int row) in BitmapFont.LitPixels(text))
        {
            cells.Add((left + column, top + row, TextColor));
        }
    }
}
