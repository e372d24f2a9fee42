namespace TorchSparse.Backends.Cpu;

/// <summary>
/// A right-hand matrix B [K x N] repacked for the micro-kernel of the widest vector width this process uses. Columns
/// are cut into panels of two registers (32 floats with AVX-512); a panel stores its K rows one after another, so the
/// kernel reads B with unit stride from 64-byte aligned storage (with AVX-512, each B row is exactly two cache
/// lines). When N is not a multiple of the panel width, the last panel is one register wide if the rest fits in one
/// register (halving wasted FMAs for N = 16, 48, ...), else two, and its columns past N are zero. Immutable after
/// packing, so one instance can be shared by every thread.
/// </summary>
internal sealed unsafe class PackedMatrix
{
    private const int AlignmentFloats = 16;

    private PackedMatrix(int k, int n, int vectorWidth)
    {
        K = k;
        N = n;
        VectorWidth = vectorWidth;
        int panelWidth = 2 * vectorWidth;
        FullPanels = n / panelWidth;
        TailColumns = n % panelWidth;
        TailVectors = TailColumns == 0 ? 0 : TailColumns <= vectorWidth ? 1 : 2;
        long length = ((long)FullPanels * panelWidth * k) + ((long)TailVectors * vectorWidth * k);
        if (length > Array.MaxLength - AlignmentFloats)
        {
            ThrowHelper.ThrowShape($"a packed {k} x {n} matrix needs {length} floats, more than an array holds.");
        }

        // Pinned (pinned object heap, never moves) so the kernels can use a pointer; over-allocated to align it.
        Storage = GC.AllocateArray<float>((int)length + AlignmentFloats, pinned: true);
        fixed (float* p = Storage)
        {
            Offset = (int)((64 - ((nint)p & 63)) & 63) / sizeof(float);
        }
    }

    public int K { get; }

    public int N { get; }

    /// <summary>Floats per register the panels were laid out for (16, 8, 4 or 1).</summary>
    internal int VectorWidth { get; }

    internal int PanelWidth => 2 * VectorWidth;

    internal int FullPanels { get; }

    /// <summary>Columns in the last, partial panel (0 when N is a multiple of the panel width).</summary>
    internal int TailColumns { get; }

    /// <summary>Registers per row of the last, partial panel: 0 (none), 1 or 2.</summary>
    internal int TailVectors { get; }

    internal int PanelCount => FullPanels + (TailColumns > 0 ? 1 : 0);

    /// <summary>The packed floats start at <c>Storage[Offset]</c>, 64-byte aligned.</summary>
    internal float[] Storage { get; }

    internal int Offset { get; }

    /// <summary>Offset in floats of panel <paramref name="panel"/> (full panels first, then the tail panel).</summary>
    internal long PanelOffset(int panel) => (long)panel * PanelWidth * K;

    /// <summary>Packs row-major <paramref name="b"/>: row stride <paramref name="n"/>, first k * n floats.</summary>
    public static PackedMatrix Pack(ReadOnlySpan<float> b, int k, int n) => Pack(b, k, n, SimdWidth.Widest);

    /// <summary>
    /// Packs for a narrower register than the widest (16, 8, 4 or 1 floats, at most <see cref="SimdWidth.Widest"/>),
    /// so every vector path can be exercised and compared in one process.
    /// </summary>
    internal static PackedMatrix Pack(ReadOnlySpan<float> b, int k, int n, int vectorWidth)
    {
        if (vectorWidth is not (16 or 8 or 4 or 1) || vectorWidth > SimdWidth.Widest)
        {
            ThrowHelper.ThrowOutOfRange(
                nameof(vectorWidth), vectorWidth, $"must be 16, 8, 4 or 1 and at most {SimdWidth.Widest} here.");
        }

        if (k < 0)
        {
            ThrowHelper.ThrowNegative(nameof(k), k);
        }

        if (n < 0)
        {
            ThrowHelper.ThrowNegative(nameof(n), n);
        }

        if (b.Length < (long)k * n)
        {
            ThrowHelper.ThrowShape($"b has {b.Length} floats; a {k} x {n} matrix needs {(long)k * n}.");
        }

        var packed = new PackedMatrix(k, n, vectorWidth);
        fixed (float* source = b)
        fixed (float* storage = packed.Storage)
        {
            packed.CopyPanels(source, storage + packed.Offset);
        }

        return packed;
    }

    private void CopyPanels(float* source, float* destination)
    {
        for (int panel = 0; panel < PanelCount; panel++)
        {
            int column = panel * PanelWidth;
            int width = panel < FullPanels ? PanelWidth : TailVectors * VectorWidth;
            int copied = Math.Min(width, N - column);
            float* panelStart = destination + PanelOffset(panel);
            for (int row = 0; row < K; row++)
            {
                var target = new Span<float>(panelStart + ((long)row * width), width);
                new ReadOnlySpan<float>(source + ((long)row * N) + column, copied).CopyTo(target);
                target[copied..].Clear();
            }
        }
    }
}
