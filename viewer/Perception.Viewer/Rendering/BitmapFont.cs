namespace Perception.Viewer.Rendering;

/// <summary>
/// A 5x7 pixel font drawn for this viewer, for legends inside pictures: no font file to ship or find, and the same
/// pixels on every machine, so reference pictures stay exact. It holds what legends print: lower-case letters, digits
/// and a little punctuation; upper-case letters are drawn lower-case and anything else as '?'.
/// </summary>
internal static class BitmapFont
{
    public const int GlyphWidth = 5;
    public const int GlyphHeight = 7;

    /// <summary>Horizontal distance from one character to the next: the glyph and one blank column.</summary>
    public const int Advance = GlyphWidth + 1;

    // Seven rows per glyph, top to bottom, separated by '|'; '#' is a lit pixel. Letters with a descender (g p q y)
    // sit on the same five rows as the others with a shortened tail, so they do not read as 9, P or Y.
    private static readonly Dictionary<char, string> Glyphs = new()
    {
        [' '] = ".....|.....|.....|.....|.....|.....|.....",
        ['?'] = ".###.|#...#|....#|...#.|..#..|.....|..#..",
        ['-'] = ".....|.....|.....|.###.|.....|.....|.....",
        ['.'] = ".....|.....|.....|.....|.....|.##..|.##..",
        [','] = ".....|.....|.....|.....|.##..|..#..|.#...",
        [':'] = ".....|.##..|.##..|.....|.##..|.##..|.....",
        ['%'] = "##...|##..#|...#.|..#..|.#...|#..##|...##",
        ['/'] = "....#|....#|...#.|..#..|.#...|#....|#....",
        ['('] = "...#.|..#..|.#...|.#...|.#...|..#..|...#.",
        [')'] = ".#...|..#..|...#.|...#.|...#.|..#..|.#...",
        ['0'] = ".###.|#...#|#..##|#.#.#|##..#|#...#|.###.",
        ['1'] = "..#..|.##..|..#..|..#..|..#..|..#..|.###.",
        ['2'] = ".###.|#...#|....#|...#.|..#..|.#...|#####",
        ['3'] = "#####|...#.|..#..|...#.|....#|#...#|.###.",
        ['4'] = "...#.|..##.|.#.#.|#..#.|#####|...#.|...#.",
        ['5'] = "#####|#....|####.|....#|....#|#...#|.###.",
        ['6'] = "..##.|.#...|#....|####.|#...#|#...#|.###.",
        ['7'] = "#####|....#|...#.|..#..|.#...|.#...|.#...",
        ['8'] = ".###.|#...#|#...#|.###.|#...#|#...#|.###.",
        ['9'] = ".###.|#...#|#...#|.####|....#|...#.|.##..",
        ['a'] = ".....|.....|.###.|....#|.####|#...#|.####",
        ['b'] = "#....|#....|#.##.|##..#|#...#|#...#|####.",
        ['c'] = ".....|.....|.###.|#....|#....|#...#|.###.",
        ['d'] = "....#|....#|.##.#|#..##|#...#|#...#|.####",
        ['e'] = ".....|.....|.###.|#...#|#####|#....|.###.",
        ['f'] = "..##.|.#..#|.#...|###..|.#...|.#...|.#...",
        ['g'] = ".....|.....|.####|#...#|.####|....#|.###.",
        ['h'] = "#....|#....|#.##.|##..#|#...#|#...#|#...#",
        ['i'] = "..#..|.....|.##..|..#..|..#..|..#..|.###.",
        ['j'] = "...#.|.....|..##.|...#.|...#.|#..#.|.##..",
        ['k'] = "#....|#....|#..#.|#.#..|##...|#.#..|#..#.",
        ['l'] = ".##..|..#..|..#..|..#..|..#..|..#..|.###.",
        ['m'] = ".....|.....|##.#.|#.#.#|#.#.#|#...#|#...#",
        ['n'] = ".....|.....|#.##.|##..#|#...#|#...#|#...#",
        ['o'] = ".....|.....|.###.|#...#|#...#|#...#|.###.",
        ['p'] = ".....|.....|####.|#...#|####.|#....|#....",
        ['q'] = ".....|.....|.####|#...#|.####|....#|....#",
        ['r'] = ".....|.....|#.##.|##..#|#....|#....|#....",
        ['s'] = ".....|.....|.####|#....|.###.|....#|####.",
        ['t'] = ".#...|.#...|###..|.#...|.#...|.#..#|..##.",
        ['u'] = ".....|.....|#...#|#...#|#...#|#..##|.##.#",
        ['v'] = ".....|.....|#...#|#...#|#...#|.#.#.|..#..",
        ['w'] = ".....|.....|#...#|#...#|#.#.#|#.#.#|.#.#.",
        ['x'] = ".....|.....|#...#|.#.#.|..#..|.#.#.|#...#",
        ['y'] = ".....|.....|#...#|#...#|.####|....#|.###.",
        ['z'] = ".....|.....|#####|...#.|..#..|.#...|#####",
    };

    /// <summary>Width in font pixels of <paramref name="text"/> on one line (no trailing blank column).</summary>
    public static int Width(string text) => text.Length == 0 ? 0 : (text.Length * Advance) - 1;

    /// <summary>Whether the pixel (<paramref name="column"/>, <paramref name="row"/>) of a character's glyph is lit;
    /// row 0 is the top.</summary>
    public static bool IsLit(char character, int column, int row)
    {
        string glyph = Glyphs.GetValueOrDefault(char.ToLowerInvariant(character)) ?? Glyphs['?'];
        return glyph[(row * (GlyphWidth + 1)) + column] == '#';
    }

    /// <summary>Every lit pixel of <paramref name="text"/> as (column, row) offsets from its top-left corner.</summary>
    public static IEnumerable<(int Column, int Row)> LitPixels(string text)
    {
        for (int c = 0; c < text.Length; c++)
        {
            for (int row = 0; row < GlyphHeight; row++)
            {
                for (int column = 0; column < GlyphWidth; column++)
                {
                    if (IsLit(text[c], column, row))
                    {
                        yield return ((c * Advance) + column, row);
                    }
                }
            }
        }
    }
}
