namespace Perception.Ros2.Compression;

/// <summary>One call into a streaming codec with its native <paramref name="context"/>: decodes from
/// <paramref name="input"/> into <paramref name="output"/> (pinned) and says how much of each it used and whether a
/// frame ended there.</summary>
internal unsafe delegate (int Read, int Written, bool FrameEnd) DecompressionStep(nint context, byte* input,
    nuint inputLength, byte* output, nuint outputLength);

/// <summary>
/// Drives a streaming codec over a chunk's data into an output that grows as the codec really produces bytes, never
/// past the size the chunk declares. Why not allocate the declared size up front: that size is a field of the file, so
/// a few corrupt bytes could make a tiny chunk allocate a gigabyte before the codec finds that the data holds nothing
/// of the kind.
/// </summary>
internal static unsafe class StreamingDecompression
{
    /// <summary>Where growth starts: honest chunks compress a few times over, so this or eight times the compressed
    /// size usually covers the declared size at once and nothing is copied.</summary>
    private const int MinimumStart = 64 * 1024;

    /// <summary>Exactly <paramref name="declaredSize"/> bytes decoded from all of <paramref name="source"/>, which may
    /// hold several frames back to back; <paramref name="free"/> releases the codec's context in the end.</summary>
    /// <exception cref="InvalidDataException">The data is truncated or holds another size (the codec's own errors
    /// come from <paramref name="step"/>).</exception>
    public static byte[] Decompress(string codec, ReadOnlySpan<byte> source, int declaredSize, nint context,
        DecompressionStep step, Action<nint> free)
    {
        try
        {
            var output = new byte[(int)Math.Min(declaredSize, Math.Max(MinimumStart, source.Length * 8L))];
            int read = 0, written = 0;
            while (true)
            {
                (int consumed, int produced, bool frameEnd) =
                    Step(step, context, source[read..], output.AsSpan(written));
                read += consumed;
                written += produced;
                if (frameEnd && read == source.Length)
                {
                    return written == declaredSize ? output : throw new InvalidDataException(
                        $"{codec} data holds {written} bytes but the chunk's uncompressed_size is {declaredSize}");
                }

                if (consumed == 0 && produced == 0)
                {
                    // Stalled: the codec needs room the output does not have yet, or input the data does not have.
                    if (written < output.Length || output.Length == declaredSize)
                    {
                        throw new InvalidDataException(written < output.Length ? $"{codec} frame is truncated"
                            : $"{codec} data does not end within uncompressed_size ({declaredSize} bytes)");
                    }

                    Array.Resize(ref output, (int)Math.Min(declaredSize, output.Length * 2L));
                }
            }
        }
        finally
        {
            free(context);
        }
    }

    private static (int Read, int Written, bool FrameEnd) Step(DecompressionStep step, nint context,
        ReadOnlySpan<byte> input, Span<byte> output)
    {
        fixed (byte* src = input)
        fixed (byte* dst = output)
        {
            return step(context, src, (nuint)input.Length, dst, (nuint)output.Length);
        }
    }
}
