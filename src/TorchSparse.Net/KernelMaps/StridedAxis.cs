namespace TorchSparse.KernelMaps;

/// <summary>
/// One axis of a strided or generative map: which output coordinates an input coordinate reaches, through which
/// kernel offset index. Axes are independent, so an input's candidates are the product of its three axes' pairs.
/// </summary>
internal sealed class StridedAxis
{
    // Pairs by residue: an input whose scaled coordinate u (see Split) has quotient q and residue r reaches
    // outputs q + pairDelta[t] through offsets pairOffset[t], t in [pairStart[r], pairStart[r + 1]). This leaves one
    // division per axis and row, a shift for power-of-two strides, instead of a remainder per offset.
    private readonly int[] pairStart;
    private readonly int[] pairOffset;
    private readonly long[] pairDelta;
    private readonly int strideShift;

    private StridedAxis(StridedRule rule, int size, int stride, int dilation, int padding)
    {
        Rule = rule;
        Size = size;
        Stride = stride;
        Dilation = dilation;
        Padding = padding;
        strideShift = int.IsPow2(stride) ? int.Log2(stride) : -1;
        int residues = rule == StridedRule.Generative ? 1 : stride;
        pairStart = new int[residues + 1];
        var offsets = new List<int>();
        var deltas = new List<long>();
        for (int r = 0; r < residues; r++)
        {
            for (int j = 0; j < size; j++)
            {
                // Spconv: c + p - j*d = q*s + r - j*d; Minkowski: c - disp(j) = q*s + r - disp(j); both reach an
                // output only when divisible by s. Generative: o = (c*s - p) + j*d, always.
                long shift = rule switch
                {
                    StridedRule.Spconv => r - ((long)j * dilation),
                    StridedRule.Minkowski => r - KernelMapBuilder.Displacement(size, j, dilation),
                    _ => (long)j * dilation,
                };
                long divisor = rule == StridedRule.Generative ? 1 : stride;
                if (shift % divisor == 0)
                {
                    offsets.Add(j);
                    deltas.Add(shift / divisor);
                }
            }

            pairStart[r + 1] = offsets.Count;
        }

        pairOffset = offsets.ToArray();
        pairDelta = deltas.ToArray();
    }

    public StridedRule Rule { get; }

    public int Size { get; }

    public int Stride { get; }

    public int Dilation { get; }

    public int Padding { get; }

    /// <summary>Smallest output coordinate any input can reach (output key space).</summary>
    public long OutMin { get; private set; }

    /// <summary>Largest output coordinate allowed; below <see cref="OutMin"/> when no output exists.</summary>
    public long OutMax { get; private set; }

    /// <summary>Validates the rows and derives each axis's output range from the coordinate bounds.</summary>
    public static StridedAxis[] ForCoords(
        ReadOnlySpan<int> coords, StridedRule rule, Int3 kernel, Int3 stride, Int3 dilation, Int3 padding)
    {
        var axes = new StridedAxis[3];
        for (int axis = 0; axis < 3; axis++)
        {
            axes[axis] = new StridedAxis(rule, kernel[axis], stride[axis], dilation[axis], padding[axis]);
        }

        Span<int> minRow = stackalloc int[3];
        Span<int> maxRow = stackalloc int[3];
        minRow.Clear();
        maxRow.Clear();
        for (int row = 0, at = 0; at < coords.Length; row++, at += 4)
        {
            if (coords[at] < 0)
            {
                throw new InvalidCoordinatesException(
                    $"coords row {row} has negative batch index {coords[at]}; batch indices start at 0.");
            }

            for (int axis = 0; axis < 3; axis++)
            {
                int value = coords[at + 1 + axis];
                if (rule == StridedRule.Spconv && value < 0)
                {
                    throw new InvalidCoordinatesException(
                        $"coords row {row} has negative {AxisName(axis)} = {value}; the spconv downsample rule "
                        + "needs non-negative spatial coordinates (shift them by their minimum first).");
                }

                minRow[axis] = value < coords[(minRow[axis] * 4) + 1 + axis] ? row : minRow[axis];
                maxRow[axis] = value > coords[(maxRow[axis] * 4) + 1 + axis] ? row : maxRow[axis];
            }
        }

        for (int axis = 0; axis < 3; axis++)
        {
            axes[axis].SetOutputRange(coords, axis, minRow[axis], maxRow[axis]);
        }

        return axes;
    }

    /// <summary>floor(c / s): the output cell an input falls in under the Minkowski rule.</summary>
    public long FloorCell(int c) => DivideFloor(c);

    /// <summary>The output coordinate input coordinate <paramref name="c"/> reaches through offset index
    /// <paramref name="j"/>, for a pair <see cref="Pairs"/> returned.</summary>
    public long OutputOf(int c, int j) => Rule switch
    {
        StridedRule.Spconv => DivideFloor((long)c + Padding - ((long)j * Dilation)),
        StridedRule.Minkowski => DivideFloor(c - KernelMapBuilder.Displacement(Size, j, Dilation)),
        _ => ((long)c * Stride) - Padding + ((long)j * Dilation),
    };

    /// <summary>
    /// Writes the (output coordinate, offset index) pairs through which input coordinate <paramref name="c"/> reaches
    /// an output, in offset order, and returns their number. <paramref name="floorPair"/> is the index of the pair whose
    /// output is the input's own floor(c/s) cell (Minkowski only), or -1.
    /// </summary>
    public int Pairs(int c, Span<int> outputs, Span<int> offsets, out int floorPair)
    {
        long quotient, residue;
        if (Rule == StridedRule.Generative)
        {
            (quotient, residue) = (((long)c * Stride) - Padding, 0);
        }
        else
        {
            long scaled = Rule == StridedRule.Spconv ? (long)c + Padding : c;
            quotient = DivideFloor(scaled);
            residue = scaled - (quotient * Stride);
        }

        int count = 0;
        floorPair = -1;
        for (int t = pairStart[residue], end = pairStart[residue + 1]; t < end; t++)
        {
            long o = quotient + pairDelta[t];
            if (o < OutMin || o > OutMax)
            {
                continue;
            }

            floorPair = Rule == StridedRule.Minkowski && pairDelta[t] == 0 ? count : floorPair;
            outputs[count] = (int)o;
            offsets[count] = pairOffset[t];
            count++;
        }

        return count;
    }

    private static long FloorDiv(long a, long b) => Math.DivRem(a, b, out long r) - (r < 0 ? 1 : 0);

    private long DivideFloor(long value) => strideShift >= 0 ? value >> strideShift : FloorDiv(value, Stride);

    private static long CeilDiv(long a, long b) => -FloorDiv(-a, b);

    private static string AxisName(int axis) => axis switch { 0 => "x", 1 => "y", _ => "z" };

    private void SetOutputRange(ReadOnlySpan<int> coords, int axis, int minRow, int maxRow)
    {
        long cmin = coords[(minRow * 4) + 1 + axis];
        long cmax = coords[(maxRow * 4) + 1 + axis];
        long reach = (long)(Size - 1) * Dilation;
        switch (Rule)
        {
            case StridedRule.Spconv:
                // Dense conv3d over [0, cmax] padded by p: the last window must end inside the padding.
                OutMin = Math.Max(0, CeilDiv(cmin + Padding - reach, Stride));
                OutMax = Math.Min(FloorDiv(cmax + (2L * Padding) - reach, Stride), FloorDiv(cmax + Padding, Stride));
                break;
            case StridedRule.Minkowski:
                OutMin = FloorDiv(cmin - KernelMapBuilder.Displacement(Size, Size - 1, Dilation), Stride);
                OutMax = FloorDiv(cmax - KernelMapBuilder.Displacement(Size, 0, Dilation), Stride);
                break;
            default:
                OutMin = Math.Max(0, (cmin * Stride) - Padding);
                OutMax = (cmax * Stride) - Padding + reach;
                break;
        }

        if (OutMin < int.MinValue)
        {
            throw new InvalidCoordinatesException(
                $"coords row {minRow}: {AxisName(axis)} = {cmin} gives output coordinate {OutMin}, below int32.");
        }

        if (OutMax > int.MaxValue && OutMax >= OutMin)
        {
            throw new InvalidCoordinatesException(
                $"coords row {maxRow}: {AxisName(axis)} = {cmax} gives output coordinate {OutMax}, beyond int32.");
        }
    }
}
