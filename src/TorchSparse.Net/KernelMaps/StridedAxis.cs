using System.Runtime.CompilerServices;
using TorchSparse.Coordinates;

namespace TorchSparse.KernelMaps;

/// <summary>
/// One axis of a strided or generative map: which output coordinates an input coordinate reaches, through which
/// kernel offset index. Axes are independent, so an input's candidates are the product of its three axes' pairs.
/// </summary>
internal sealed class StridedAxis
{
    // Every rule is o = (u - term(j)) / div for a scaled input u = c*mul + add, exact when it divides:
    //   Spconv      u = c + p,       term(j) = j*d,            div = s
    //   Minkowski   u = c,           term(j) = displacement(j), div = s
    //   FloorDense  u = c,           term(j) = j*d - p,         div = s
    //   Generative  u = c*s - p,     term(j) = -j*d,           div = 1
    // With u = q*div + r, offset j reaches output q + (r - term(j)) / div exactly when div divides r - term(j), so
    // the pairs depend only on the residue r: the pairs of residue class c are pairOffset/pairDelta at
    // [pairStart[c], pairStart[c + 1]) (see ClassOf).
    // That leaves one division per axis and row, a shift for power-of-two strides, instead of a remainder per offset.
    private const int MaxDirectResidues = 4096;

    private readonly long mul;
    private readonly long add;
    private readonly long div;
    private readonly int divShift;
    private readonly long[] term;
    private readonly int[] pairStart;
    private readonly int[] pairOffset;
    private readonly long[] pairDelta;

    // Null when classes are residues themselves; otherwise the residue of each class, ascending.
    private readonly long[]? classResidues;

    // Whether a class has a pair with delta 0, which under the Minkowski rule is the input's own floor cell.
    private readonly bool[] floorInClass;

    // Whether every residue has MaxPairs pairs.
    private readonly bool everyResidueSame;

    // Quotients for which every pair's output is inside [OutMin, OutMax], so no per-pair range check is needed.
    private long safeLow;
    private long safeHigh;

    private StridedAxis(StridedRule rule, int size, int stride, int dilation, int padding)
    {
        Rule = rule;
        Size = size;
        Stride = stride;
        Dilation = dilation;
        (mul, add, div, term) = Arithmetic(rule, size, stride, dilation, padding);
        Padding = padding;
        divShift = long.IsPow2(div) ? (int)long.Log2(div) : -1;

        // Residue classes: every residue for a small divisor; for a huge one only the residues that have pairs (at
        // most one per offset), found by binary search, plus a last, empty class for all other residues.
        long[] residues = div <= MaxDirectResidues
            ? Enumerable.Range(0, (int)div).Select(r => (long)r).ToArray()
            : term.Select(t => ((t % div) + div) % div).Distinct().Order().ToArray();
        classResidues = div <= MaxDirectResidues ? null : residues;
        pairStart = new int[residues.Length + 2];
        var offsets = new List<int>();
        var deltas = new List<long>();
        for (int index = 0; index < residues.Length; index++)
        {
            long r = residues[index];
            for (int j = 0; j < size; j++)
            {
                if ((r - term[j]) % div == 0)
                {
                    offsets.Add(j);
                    deltas.Add((r - term[j]) / div);
                }
            }

            pairStart[index + 1] = offsets.Count;
            MaxPairs = Math.Max(MaxPairs, pairStart[index + 1] - pairStart[index]);
        }

        pairStart[residues.Length + 1] = offsets.Count;
        pairOffset = offsets.ToArray();
        pairDelta = deltas.ToArray();
        floorInClass = new bool[residues.Length + 1];
        for (int index = 0; index < residues.Length; index++)
        {
            floorInClass[index] = pairDelta.AsSpan(pairStart[index], pairStart[index + 1] - pairStart[index]).Contains(0);
        }

        everyResidueSame = classResidues is null
            && Enumerable.Range(0, residues.Length).All(i => pairStart[i + 1] - pairStart[i] == MaxPairs);
    }

    public StridedRule Rule { get; }

    /// <summary>Whether outputs are exactly the cells some input floors to (rather than every cell a pair reaches).</summary>
    public bool MarksFloor => MarksFloorCells(Rule);

    public int Size { get; }

    public int Stride { get; }

    public int Dilation { get; }

    public int Padding { get; }

    /// <summary>Most pairs one input coordinate can have on this axis.</summary>
    public int MaxPairs { get; }

    /// <summary>The number of pairs of every input coordinate of the rows this axis was made for, when it is the same
    /// for all of them (no residue has more pairs than another and none is cut by the output range); otherwise -1.
    /// Under the Minkowski rule it also requires that every input's floor cell is among its pairs.</summary>
    public int UniformPairs { get; private set; } = -1;

    /// <summary>Smallest output coordinate any input can reach (output key space).</summary>
    public long OutMin { get; private set; }

    /// <summary>Largest output coordinate allowed; below <see cref="OutMin"/> when no output exists.</summary>
    public long OutMax { get; private set; }

    /// <summary>
    /// The rule's arithmetic on one axis (see the comment at the top): offset j takes the scaled input
    /// u = c*mul + add to output (u - term[j]) / div when that divides. Kernel-map builders on other devices use it
    /// too, so every builder follows the same rules.
    /// </summary>
    internal static (long Mul, long Add, long Div, long[] Term) Arithmetic(
        StridedRule rule, int size, int stride, int dilation, int padding)
    {
        var term = new long[size];
        for (int j = 0; j < size; j++)
        {
            term[j] = rule switch
            {
                StridedRule.Spconv => (long)j * dilation,
                StridedRule.Minkowski => KernelMapBuilder.Displacement(size, j, dilation),
                StridedRule.FloorDense => ((long)j * dilation) - padding,
                _ => -(long)j * dilation,
            };
        }

        return rule switch
        {
            StridedRule.Spconv => (1L, padding, stride, term),
            StridedRule.Minkowski or StridedRule.FloorDense => (1L, 0L, stride, term),
            _ => (stride, -(long)padding, 1L, term),
        };
    }

    /// <summary>The outputs allowed on one axis for inputs between <paramref name="cmin"/> and
    /// <paramref name="cmax"/> (<c>OutMax &lt; OutMin</c> when none is).</summary>
    internal static (long OutMin, long OutMax) OutputRange(
        StridedRule rule, int size, int stride, int dilation, int padding, long[] term, long cmin, long cmax)
    {
        long reach = (long)(size - 1) * dilation;
        return rule switch
        {
            // Dense conv3d over [0, cmax] padded by p: the last window must end inside the padding.
            StridedRule.Spconv => (Math.Max(0, CeilDiv(cmin + padding - reach, stride)),
                Math.Min(FloorDiv(cmax + (2L * padding) - reach, stride), FloorDiv(cmax + padding, stride))),

            // Outputs are floor cells; with padding the pairs may all point elsewhere, so cover both.
            StridedRule.Minkowski or StridedRule.FloorDense => (
                Math.Min(FloorDiv(cmin - term.Max(), stride), FloorDiv(cmin, stride)),
                Math.Max(FloorDiv(cmax - term.Min(), stride), FloorDiv(cmax, stride))),
            _ => (Math.Max(0, (cmin * stride) - padding), (cmax * stride) - padding + reach),
        };
    }

    /// <summary>Validates the rows and derives each axis's output range from their bounds
    /// (<see cref="CoordinateKeyer.Bounds"/>).</summary>
    public static StridedAxis[] ForCoords(
        ReadOnlySpan<int> coords, Coordinate min, Coordinate max, StridedRule rule, Int3 kernel, Int3 stride,
        Int3 dilation, Int3 padding)
    {
        var axes = new StridedAxis[3];
        for (int axis = 0; axis < 3; axis++)
        {
            axes[axis] = new StridedAxis(rule, kernel[axis], stride[axis], dilation[axis], padding[axis]);
        }

        if (min.Batch < 0)
        {
            int row = FirstRow(coords, 0, min.Batch);
            throw new InvalidCoordinatesException(
                $"coords row {row} has negative batch index {min.Batch}; batch indices start at 0.");
        }

        for (int axis = 0; axis < 3; axis++)
        {
            int low = axis == 0 ? min.X : axis == 1 ? min.Y : min.Z;
            int high = axis == 0 ? max.X : axis == 1 ? max.Y : max.Z;
            if (rule == StridedRule.Spconv && low < 0)
            {
                throw new InvalidCoordinatesException(
                    $"coords row {FirstRow(coords, axis + 1, low)} has negative {AxisName(axis)} = {low}; the spconv "
                    + "downsample rule needs non-negative spatial coordinates (shift them by their minimum first).");
            }

            axes[axis].SetOutputRange(coords, axis, low, high);
        }

        return axes;
    }

    // The first row whose lane `lane` (0 batch, 1..3 x, y, z) holds `value`, for error messages.
    private static int FirstRow(ReadOnlySpan<int> coords, int lane, int value)
    {
        int at = lane;
        while (coords[at] != value)
        {
            at += 4;
        }

        return at / 4;
    }

    /// <summary>floor(c / s): the output cell an input falls in under the Minkowski rule.</summary>
    public long FloorCell(int c) => Divide(c);

    /// <summary>The output coordinate input coordinate <paramref name="c"/> reaches through offset index
    /// <paramref name="j"/>, for a pair <see cref="Pairs"/> returned.</summary>
    public long OutputOf(int c, int j) => Divide((c * mul) + add - term[j]);

    /// <summary>The number of pairs <see cref="Pairs"/> would write for <paramref name="c"/>, and whether one of them
    /// is the floor cell (Minkowski only), without writing them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int PairCount(int c, out bool hasFloorPair)
    {
        (long quotient, int residue) = Split(c);
        if (quotient >= safeLow && quotient <= safeHigh)
        {
            hasFloorPair = MarksFloor && floorInClass[residue];
            return pairStart[residue + 1] - pairStart[residue];
        }

        int count = 0;
        hasFloorPair = false;
        for (int t = pairStart[residue]; t < pairStart[residue + 1]; t++)
        {
            long o = quotient + pairDelta[t];
            bool inside = o >= OutMin && o <= OutMax;
            count += inside ? 1 : 0;
            hasFloorPair |= inside && MarksFloor && pairDelta[t] == 0;
        }

        return count;
    }

    /// <summary>
    /// The one (output coordinate, offset index) pair of every input coordinate as a table per residue, when every
    /// input has one pair (UniformPairs 1, as in every downsample with stride = kernel) and the residues are the
    /// classes (divisor at most 4096). Null otherwise.
    /// </summary>
    public SinglePairTable? SinglePairs()
    {
        if (UniformPairs != 1 || classResidues is not null)
        {
            return null;
        }

        var delta = new long[div];
        var offset = new int[div];
        for (int residue = 0; residue < div; residue++)
        {
            delta[residue] = pairDelta[pairStart[residue]];
            offset[residue] = pairOffset[pairStart[residue]];
        }

        return new SinglePairTable(mul, add, div, divShift, delta, offset);
    }

    /// <summary>
    /// Writes the (output coordinate, offset index) pairs through which input coordinate <paramref name="c"/>
    /// reaches an output, in offset order, and returns their number. <paramref name="floorPair"/> is the index of the
    /// pair whose output is the input's own floor(c/s) cell (Minkowski only), or -1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Pairs(int c, int[] outputs, int[] offsets, out int floorPair)
    {
        (long quotient, int residue) = Split(c);
        int first = pairStart[residue], count = pairStart[residue + 1] - first;
        floorPair = -1;
        if (quotient >= safeLow && quotient <= safeHigh)
        {
            for (int t = 0; t < count; t++)
            {
                outputs[t] = (int)(quotient + pairDelta[first + t]);
                offsets[t] = pairOffset[first + t];
                floorPair = pairDelta[first + t] == 0 ? t : floorPair;
            }
        }
        else
        {
            int kept = 0;
            for (int t = first; t < first + count; t++)
            {
                long o = quotient + pairDelta[t];
                if (o >= OutMin && o <= OutMax)
                {
                    outputs[kept] = (int)o;
                    offsets[kept] = pairOffset[t];
                    floorPair = pairDelta[t] == 0 ? kept : floorPair;
                    kept++;
                }
            }

            count = kept;
        }

        // Only the Minkowski rule asks for the floor cell; under it a zero delta is exactly the input's floor cell.
        floorPair = MarksFloor ? floorPair : -1;
        return count;
    }

    // The scaled input's quotient and the class of its residue, which pick the pairs of c.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (long Quotient, int Residue) Split(int c)
    {
        long scaled = (c * mul) + add;
        long quotient = Divide(scaled);
        return (quotient, ClassOf(scaled - (quotient * div)));
    }

    private static long FloorDiv(long a, long b) => Math.DivRem(a, b, out long r) - (r < 0 ? 1 : 0);

    /// <summary>floor(a / b), a shift when <paramref name="shift"/> (log2 b for a power of two, else -1) allows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long FloorDiv(long a, long b, int shift) => shift >= 0 ? a >> shift : FloorDiv(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int ClassOf(long residue)
    {
        if (classResidues is null)
        {
            return (int)residue;
        }

        int index = Array.BinarySearch(classResidues, residue);
        return index >= 0 ? index : classResidues.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Divide(long value) => FloorDiv(value, div, divShift);

    private static long CeilDiv(long a, long b) => -FloorDiv(-a, b);

    private static string AxisName(int axis) => axis switch { 0 => "x", 1 => "y", _ => "z" };

    public static bool MarksFloorCells(StridedRule rule) => rule is StridedRule.Minkowski or StridedRule.FloorDense;

    private void SetOutputRange(ReadOnlySpan<int> coords, int axis, long cmin, long cmax)
    {
        (OutMin, OutMax) = OutputRange(Rule, Size, Stride, Dilation, Padding, term, cmin, cmax);

        safeLow = pairDelta.Length == 0 ? 1 : OutMin - pairDelta.Min();
        safeHigh = pairDelta.Length == 0 ? 0 : OutMax - pairDelta.Max();

        // Quotients grow with c, so the rows' quotients all lie between those of cmin and cmax.
        bool allSafe = Divide((cmin * mul) + add) >= safeLow && Divide((cmax * mul) + add) <= safeHigh;
        bool floorsPaired = !MarksFloor || floorInClass.SkipLast(1).All(f => f);
        UniformPairs = allSafe && everyResidueSame && floorsPaired ? MaxPairs : -1;
        if (OutMin < int.MinValue)
        {
            throw new InvalidCoordinatesException(
                $"coords row {FirstRow(coords, axis + 1, (int)cmin)}: {AxisName(axis)} = {cmin} gives output coordinate "
                + $"{OutMin}, below int32.");
        }

        if (OutMax > int.MaxValue && OutMax >= OutMin)
        {
            throw new InvalidCoordinatesException(
                $"coords row {FirstRow(coords, axis + 1, (int)cmax)}: {AxisName(axis)} = {cmax} gives output coordinate "
                + $"{OutMax}, beyond int32.");
        }
    }
}

/// <summary>
/// One axis's single pairs (see <see cref="StridedAxis.SinglePairs"/>): input c scales to u = c*Mul + Add, which
/// splits into q = floor(u / Div) (a shift when Shift is not negative) and residue r; the output is q + Delta[r],
/// through offset index Offset[r].
/// </summary>
internal sealed record SinglePairTable(long Mul, long Add, long Div, int Shift, long[] Delta, int[] Offset)
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (long Quotient, long Residue) Split(int c)
    {
        long u = (c * Mul) + Add;
        long quotient = StridedAxis.FloorDiv(u, Div, Shift);
        return (quotient, u - (quotient * Div));
    }
}
