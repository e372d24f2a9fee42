namespace TorchSparse.Backends.Cpu;

/// <summary>
/// The element-wise and row-indexed fp32 operations of the CPU backend. Each validates its arguments, then runs one
/// loop shape (<see cref="UnaryLoop"/>, <see cref="BinaryLoop"/>, <see cref="RowLoops"/>) with an operator struct,
/// split across threads when the input is large. Every element is computed the same way whatever the split, so
/// results are deterministic.
/// </summary>
internal static unsafe class CpuOps
{
    /// <summary>Rows per block of <see cref="ColumnSums"/>.</summary>
    internal const int ColumnSumBlockRows = 1024;

    /// <summary><c>x[i] = max(x[i], 0)</c>.</summary>
    public static void Relu(Span<float> x) => Unary(x, x, default(ReluOperator));

    /// <summary><c>destination[i] = max(x[i], 0)</c>; the destination may be x itself.</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> destination) => Unary(x, destination, default(ReluOperator));

    /// <summary><c>x[i] = x[i] &gt;= 0 ? x[i] : slope * x[i]</c>.</summary>
    public static void LeakyRelu(Span<float> x, float slope) => Unary(x, x, new LeakyReluOperator(slope));

    /// <summary><c>destination[i] = x[i] &gt;= 0 ? x[i] : slope * x[i]</c>; the destination may be x itself.</summary>
    public static void LeakyRelu(ReadOnlySpan<float> x, Span<float> destination, float slope) =>
        Unary(x, destination, new LeakyReluOperator(slope));

    /// <summary>
    /// An activation's input gradient, <c>destination[i] = x[i] &gt; 0 ? g[i] : slope * g[i]</c> (ReLU: slope 0),
    /// from the output gradient g and the activation's input x (or, for ReLU, its output: the sign test agrees).
    /// </summary>
    public static void ActivationGrad(ReadOnlySpan<float> g, ReadOnlySpan<float> x, Span<float> destination, float slope) =>
        Binary(g, x, destination, new ActivationGradOperator(slope));

    /// <summary>
    /// <c>destination[i] = x[i] + y[i]</c> for the length of <paramref name="x"/>; either input may be the
    /// destination itself, but must not overlap it shifted.
    /// </summary>
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination, bool relu = false)
    {
        if (relu)
        {
            Binary(x, y, destination, default(AddReluOperator));
        }
        else
        {
            Binary(x, y, destination, default(AddOperator));
        }
    }

    /// <summary>
    /// In place over <paramref name="rows"/> [n x channels]: <c>x[r, c] = x[r, c] * scale[c] + shift[c]</c>, two
    /// roundings (not fused). This is inference BatchNorm with its statistics folded into scale and shift.
    /// </summary>
    public static void ChannelAffine(
        Span<float> rows, int channels, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, bool relu = false)
    {
        int count = RowCount(rows.Length, channels, nameof(rows));
        if (scale.Length != channels || shift.Length != channels)
        {
            ThrowHelper.ThrowShape(
                $"scale and shift need {channels} elements (one per channel); got {scale.Length} and {shift.Length}.");
        }

        CheckOverlap(scale, rows, nameof(scale));
        CheckOverlap(shift, rows, nameof(shift));
        fixed (float* pRows = rows, pScale = scale, pShift = shift)
        {
            int threads = ParallelRanges.ThreadsFor(2L * rows.Length);
            if (relu)
            {
                ParallelRanges.Run(count, threads, 1, new AffineWork<MultiplyAddReluOperator>(pRows, pScale, pShift, channels));
            }
            else
            {
                ParallelRanges.Run(count, threads, 1, new AffineWork<MultiplyAddOperator>(pRows, pScale, pShift, channels));
            }
        }
    }

    /// <summary>
    /// <c>destination[i, :] = source[index[i], :]</c> for rows of <paramref name="channels"/> floats; every index
    /// must name a row of <paramref name="source"/>.
    /// </summary>
    public static void GatherRows(
        ReadOnlySpan<float> source, int channels, ReadOnlySpan<int> index, Span<float> destination)
    {
        int sourceRows = RowCount(source.Length, channels, nameof(source));
        CheckDestination((long)index.Length * channels, destination.Length);
        CheckIndices(index, sourceRows);
        if (source.Overlaps(destination))
        {
            ThrowHelper.ThrowOverlap(nameof(source));
        }

        fixed (float* ps = source, pd = destination)
        fixed (int* pi = index)
        {
            var work = new GatherWork(ps, pi, pd, channels);
            ParallelRanges.Run(index.Length, ParallelRanges.ThreadsFor(2L * index.Length * channels), 1, work);
        }
    }

    /// <summary>
    /// <c>destination[index[i], :] += source[i, :]</c> for rows of <paramref name="channels"/> floats. Indices must
    /// name rows of <paramref name="destination"/> and must not repeat within one call: large calls split the rows
    /// across threads, and two threads adding into one row would race.
    /// </summary>
    public static void ScatterAddRows(
        ReadOnlySpan<float> source, int channels, ReadOnlySpan<int> index, Span<float> destination)
    {
        int destinationRows = RowCount(destination.Length, channels, nameof(destination));
        if (source.Length != (long)index.Length * channels)
        {
            ThrowHelper.ThrowShape(
                $"source has {source.Length} floats; {index.Length} rows of {channels} channels need " +
                $"{(long)index.Length * channels}.");
        }

        CheckIndices(index, destinationRows);
        if (source.Overlaps(destination))
        {
            ThrowHelper.ThrowOverlap(nameof(source));
        }

        fixed (float* ps = source, pd = destination)
        fixed (int* pi = index)
        {
            var work = new ScatterWork<AddOperator>(ps, pi, pd, channels, default);
            ParallelRanges.Run(index.Length, ParallelRanges.ThreadsFor(3L * source.Length), 1, work);
        }
    }

    /// <summary>
    /// <c>sums[c] = sum over r of rows[r, c]</c> for <paramref name="rows"/> [n x channels] (a conv's bias gradient).
    /// Rows are added in order within fixed blocks of <see cref="ColumnSumBlockRows"/>, then the block sums in order:
    /// blocks, not threads, decide the order, so every thread count gives the same bits.
    /// </summary>
    public static void ColumnSums(ReadOnlySpan<float> rows, int channels, Span<float> sums)
    {
        int count = RowCount(rows.Length, channels, nameof(rows));
        CheckDestination(channels, sums.Length);
        if (rows.Overlaps(sums))
        {
            ThrowHelper.ThrowOverlap(nameof(rows));
        }

        int blocks = (count + ColumnSumBlockRows - 1) / ColumnSumBlockRows;
        if (blocks == 0)
        {
            sums[..channels].Clear();
            return;
        }

        float[] partials = blocks == 1 ? [] : GC.AllocateUninitializedArray<float>(blocks * channels);
        fixed (float* pRows = rows, pSums = sums, pPartials = partials)
        {
            float* target = blocks == 1 ? pSums : pPartials;
            var work = new ColumnSumWork(pRows, count, channels, target);
            ParallelRanges.Run(blocks, ParallelRanges.ThreadsFor(rows.Length), 1, work);
            if (blocks > 1)
            {
                new ReadOnlySpan<float>(pPartials, channels).CopyTo(new Span<float>(pSums, channels));
                for (int b = 1; b < blocks; b++)
                {
                    BinaryLoop.Invoke(pSums, pPartials + ((long)b * channels), pSums, (nuint)channels, default(AddOperator));
                }
            }
        }
    }

    /// <summary><c>destination[i] = op(x[i], y[i])</c>, checked, split across threads when large.</summary>
    private static void Binary<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination, TOp op)
        where TOp : struct, IBinaryOperator
    {
        if (y.Length != x.Length)
        {
            ThrowHelper.ThrowShape($"x has {x.Length} elements but y has {y.Length}.");
        }

        CheckDestination(x.Length, destination.Length);
        CheckOverlap(x, destination, nameof(x));
        CheckOverlap(y, destination, nameof(y));
        fixed (float* px = x, py = y, pd = destination)
        {
            var work = new BinaryWork<TOp>(px, py, pd, op);
            ParallelRanges.Run(x.Length, ParallelRanges.ThreadsFor(3L * x.Length), Simd512.Count, work);
        }
    }

    private static void Unary<TOp>(ReadOnlySpan<float> x, Span<float> destination, TOp op)
        where TOp : struct, IUnaryOperator
    {
        CheckDestination(x.Length, destination.Length);
        CheckOverlap(x, destination, nameof(x));
        fixed (float* px = x, pd = destination)
        {
            var work = new UnaryWork<TOp>(px, pd, op);
            ParallelRanges.Run(x.Length, ParallelRanges.ThreadsFor(2L * x.Length), Simd512.Count, work);
        }
    }

    private static int RowCount(int length, int channels, string name)
    {
        if (channels <= 0)
        {
            ThrowHelper.ThrowOutOfRange(nameof(channels), channels, "channels must be positive.");
        }

        if (length % channels != 0)
        {
            ThrowHelper.ThrowShape($"{name} has {length} floats, not a whole number of rows of {channels} channels.");
        }

        return length / channels;
    }

    private static void CheckDestination(long needed, int length)
    {
        if (length < needed)
        {
            ThrowHelper.ThrowShape($"destination has {length} elements; {needed} are written.");
        }
    }

    /// <summary>An input may alias the destination exactly (in place) but not partially.</summary>
    private static void CheckOverlap(ReadOnlySpan<float> input, ReadOnlySpan<float> destination, string name)
    {
        if (input.Overlaps(destination, out int offset) && offset != 0)
        {
            ThrowHelper.ThrowOverlap(name);
        }
    }

    private static void CheckIndices(ReadOnlySpan<int> index, int rows)
    {
        for (int i = 0; i < index.Length; i++)
        {
            if ((uint)index[i] >= (uint)rows)
            {
                ThrowHelper.ThrowOutOfRange(nameof(index), index[i], $"index[{i}] must name one of the {rows} rows.");
            }
        }
    }

    /// <summary>Block b's column sums into partials row b, its rows added in order.</summary>
    private readonly struct ColumnSumWork(float* rows, int count, int channels, float* partials) : IRangeWork
    {
        public void Run(int start, int end)
        {
            for (int b = start; b < end; b++)
            {
                int first = b * ColumnSumBlockRows;
                int last = Math.Min(count, first + ColumnSumBlockRows);
                float* sum = partials + ((long)b * channels);
                new ReadOnlySpan<float>(rows + ((long)first * channels), channels).CopyTo(new Span<float>(sum, channels));
                for (int r = first + 1; r < last; r++)
                {
                    BinaryLoop.Invoke(sum, rows + ((long)r * channels), sum, (nuint)channels, default(AddOperator));
                }
            }
        }
    }

    private readonly struct UnaryWork<TOp>(float* x, float* destination, TOp op) : IRangeWork
        where TOp : struct, IUnaryOperator
    {
        public void Run(int start, int end) =>
            UnaryLoop.Invoke(x + start, destination + start, (nuint)(end - start), op);
    }

    private readonly struct BinaryWork<TOp>(float* x, float* y, float* destination, TOp op) : IRangeWork
        where TOp : struct, IBinaryOperator
    {
        public void Run(int start, int end) =>
            BinaryLoop.Invoke(x + start, y + start, destination + start, (nuint)(end - start), op);
    }

    private readonly struct AffineWork<TOp>(float* rows, float* scale, float* shift, int channels) : IRangeWork
        where TOp : struct, ITernaryOperator
    {
        public void Run(int start, int end) => RowLoops.Broadcast(
            rows + ((long)start * channels), scale, shift, (nuint)(end - start), (nuint)channels, default(TOp));
    }

    private readonly struct GatherWork(float* source, int* index, float* destination, int channels) : IRangeWork
    {
        public void Run(int start, int end) => RowLoops.Gather(
            source, index + start, destination + ((long)start * channels), (nuint)(end - start), (nuint)channels);
    }

    private readonly struct ScatterWork<TOp>(float* source, int* index, float* destination, int channels, TOp op)
        : IRangeWork
        where TOp : struct, IBinaryOperator
    {
        public void Run(int start, int end) => RowLoops.Scatter(
            source + ((long)start * channels), destination, index + start, (nuint)(end - start), (nuint)channels, op);
    }
}
