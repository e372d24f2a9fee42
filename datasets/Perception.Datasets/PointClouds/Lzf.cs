namespace Perception.Datasets.PointClouds;

/// <summary>
/// LZF, the byte-oriented LZ77 variant of liblzf that PCD binary_compressed uses. A stream is a sequence of
/// commands, each starting with a control byte c:
/// c &lt; 32: a literal run, the next c + 1 bytes are copied as they are;
/// otherwise a back reference: length code L = c >> 5 (7 means "7 + next byte"), then one more byte gives the
/// offset low bits, so offset = ((c &amp; 31) &lt;&lt; 8) + that byte; copy L + 2 bytes starting offset + 1 bytes back
/// in the output (the source may overlap the bytes being written, which repeats them).
/// </summary>
internal static class Lzf
{
    private const int MaxLiteral = 32;
    private const int MaxOffset = 1 << 13;
    private const int MaxMatch = 7 + 255 + 2;
    private const int HashBits = 14;

    /// <summary>Largest output per input byte: a 3-byte back reference yields 264 bytes.</summary>
    public const int MaxExpansion = MaxMatch / 3;

    /// <summary>Output size that <see cref="Compress"/> never exceeds: one control byte per 32 literals.</summary>
    public static int MaxCompressedLength(int inputLength) => inputLength + (inputLength / MaxLiteral) + 1;

    /// <summary>
    /// Decompresses all of <paramref name="input"/> into exactly <paramref name="output"/>. Every command consumes
    /// input, so a corrupt stream ends (with an error) after at most input.Length steps and never reads or writes
    /// outside the two spans.
    /// </summary>
    /// <exception cref="InvalidDataException">The stream is corrupt; the message gives the input offset.</exception>
    public static void Decompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int ip = 0;
        int op = 0;
        while (ip < input.Length)
        {
            int command = ip;
            int control = input[ip++];
            if (control < MaxLiteral)
            {
                int run = control + 1;
                if (run > input.Length - ip)
                {
                    throw Corrupt(command, $"a literal run of {run} bytes goes past the end of the input");
                }

                if (run > output.Length - op)
                {
                    throw Corrupt(command, $"a literal run of {run} bytes overflows the {output.Length}-byte output");
                }

                input.Slice(ip, run).CopyTo(output[op..]);
                ip += run;
                op += run;
                continue;
            }

            int length = control >> 5;
            if (length == 7)
            {
                if (ip >= input.Length)
                {
                    throw Corrupt(command, "a back reference is cut off before its length byte");
                }

                length += input[ip++];
            }

            if (ip >= input.Length)
            {
                throw Corrupt(command, "a back reference is cut off before its offset byte");
            }

            int distance = ((control & 31) << 8) + input[ip++] + 1;
            length += 2;
            if (distance > op)
            {
                throw Corrupt(command, $"a back reference reaches {distance} bytes back but only {op} are written");
            }

            if (length > output.Length - op)
            {
                throw Corrupt(command, $"a back reference of {length} bytes overflows the {output.Length}-byte output");
            }

            if (distance >= length)
            {
                output.Slice(op - distance, length).CopyTo(output[op..]);
                op += length;
            }
            else
            {
                // Overlapping copy: byte by byte so that freshly written bytes are repeated, as the format intends.
                for (int end = op + length; op < end; op++)
                {
                    output[op] = output[op - distance];
                }
            }
        }

        if (op != output.Length)
        {
            throw new InvalidDataException(
                $"LZF stream ends after {op} decompressed bytes; {output.Length} were expected.");
        }
    }

    /// <summary>
    /// Compresses <paramref name="input"/> into <paramref name="output"/> (at least
    /// <see cref="MaxCompressedLength"/> bytes) and returns the number of bytes written. Greedy matching over a
    /// hash of the next three bytes; any valid LZF stream decodes with liblzf, so the exact choices are ours.
    /// </summary>
    public static int Compress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (output.Length < MaxCompressedLength(input.Length))
        {
            throw new ArgumentException("The output is smaller than MaxCompressedLength(input).", nameof(output));
        }

        if (input.IsEmpty)
        {
            return 0;
        }

        // Last position + 1 of each 3-byte hash; 0 means none yet.
        var table = new int[1 << HashBits];
        int ip = 0;
        int op = 1; // output[0] is the control byte of the first literal run
        int literals = 0;
        while (ip < input.Length)
        {
            if (ip + 2 < input.Length)
            {
                int hash = Hash(input, ip);
                int candidate = table[hash] - 1;
                table[hash] = ip + 1;
                int distance = ip - candidate;
                if (candidate >= 0 && distance <= MaxOffset
                    && input[candidate] == input[ip] && input[candidate + 1] == input[ip + 1]
                    && input[candidate + 2] == input[ip + 2])
                {
                    int maxLength = Math.Min(MaxMatch, input.Length - ip);
                    int length = 3;
                    while (length < maxLength && input[candidate + length] == input[ip + length])
                    {
                        length++;
                    }

                    op = CloseLiteralRun(output, op, literals);
                    op = WriteBackReference(output, op, length, distance - 1);
                    for (int end = ip + length, p = ip + 1; p < end && p + 2 < input.Length; p++)
                    {
                        table[Hash(input, p)] = p + 1;
                    }

                    ip += length;
                    literals = 0;
                    op++; // reserve the control byte of the next literal run
                    continue;
                }
            }

            output[op++] = input[ip++];
            if (++literals == MaxLiteral)
            {
                output[op - MaxLiteral - 1] = MaxLiteral - 1;
                literals = 0;
                op++;
            }
        }

        return CloseLiteralRun(output, op, literals);
    }

    // Fills in the pending run's control byte, or takes back the reserved byte when the run is empty.
    private static int CloseLiteralRun(Span<byte> output, int op, int literals)
    {
        if (literals == 0)
        {
            return op - 1;
        }

        output[op - literals - 1] = (byte)(literals - 1);
        return op;
    }

    private static int WriteBackReference(Span<byte> output, int op, int length, int offset)
    {
        int code = length - 2;
        if (code < 7)
        {
            output[op++] = (byte)((code << 5) | (offset >> 8));
        }
        else
        {
            output[op++] = (byte)((7 << 5) | (offset >> 8));
            output[op++] = (byte)(code - 7);
        }

        output[op++] = (byte)offset;
        return op;
    }

    private static int Hash(ReadOnlySpan<byte> input, int at)
    {
        uint key = (uint)(input[at] | (input[at + 1] << 8) | (input[at + 2] << 16));
        return (int)((key * 2654435761u) >> (32 - HashBits));
    }

    private static InvalidDataException Corrupt(int offset, string problem) =>
        new($"LZF stream is corrupt at input byte {offset}: {problem}.");
}
