using System.Buffers;
using System.Text;

namespace Perception.Datasets.PointClouds;

/// <summary>Walks ascii data line by line (skipping blank lines) and splits lines into tokens.</summary>
internal ref struct AsciiTokens(ReadOnlySpan<byte> data, int firstLine)
{
    private static readonly SearchValues<byte> Blank = SearchValues.Create(" \t\r\f\v"u8);
    private static readonly SearchValues<byte> BlankOrNewLine = SearchValues.Create(" \t\r\n\f\v"u8);

    private readonly ReadOnlySpan<byte> data = data;
    private int position;
    private int nextLine = firstLine;

    /// <summary>1-based line number of the line last returned.</summary>
    public int Line { get; private set; } = firstLine;

    /// <summary>Next line that holds anything but white space.</summary>
    public bool NextLine(out ReadOnlySpan<byte> line)
    {
        while (position < data.Length)
        {
            int end = data[position..].IndexOf((byte)'\n');
            int stop = end < 0 ? data.Length : position + end;
            line = data[position..stop];
            position = stop + 1;
            Line = nextLine++;
            if (line.IndexOfAnyExcept(Blank) >= 0)
            {
                return true;
            }
        }

        line = default;
        return false;
    }

    /// <summary>Next white-space separated token, across line breaks; <see cref="Line"/> is its line.</summary>
    public bool NextToken(out ReadOnlySpan<byte> token)
    {
        while (position < data.Length)
        {
            byte b = data[position];
            if (b == (byte)'\n')
            {
                nextLine++;
            }

            if (!BlankOrNewLine.Contains(b))
            {
                int length = data[position..].IndexOfAny(BlankOrNewLine);
                int end = length < 0 ? data.Length : position + length;
                token = data[position..end];
                position = end;
                Line = nextLine;
                return true;
            }

            position++;
        }

        token = default;
        return false;
    }

    /// <summary>
    /// Splits on white space into <paramref name="tokens"/>; returns the number found, capped at tokens.Length
    /// (so a count equal to tokens.Length means "at least that many").
    /// </summary>
    public static int Split(ReadOnlySpan<byte> line, Span<Range> tokens)
    {
        int count = 0;
        int i = 0;
        while (count < tokens.Length)
        {
            int start = line[i..].IndexOfAnyExcept(Blank);
            if (start < 0)
            {
                break;
            }

            start += i;
            int length = line[start..].IndexOfAny(Blank);
            int end = length < 0 ? line.Length : start + length;
            tokens[count++] = start..end;
            i = end;
        }

        return count;
    }

    /// <summary>A token for an error message: printable ASCII, at most 40 characters.</summary>
    public static string Show(ReadOnlySpan<byte> token)
    {
        var text = new StringBuilder();
        foreach (byte b in token[..Math.Min(token.Length, 40)])
        {
            text.Append(b is >= 32 and < 127 ? (char)b : '?');
        }

        return token.Length > 40 ? text.Append("...").ToString() : text.ToString();
    }
}
