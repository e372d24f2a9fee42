using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TorchSparse.Backends.Cpu;

/// <summary>
/// Cache blocking around <see cref="GemmKernel"/> for one vector width: rows of A and C are taken in blocks whose
/// A slice stays in L2, K in slices whose B panel slice stays in L1, and within a block every B panel is swept
/// across every group of <c>TRows.Count</c> rows. Single-threaded; <see cref="GemmThreads{TIsa, TVec, TRows}"/>
/// splits dense work between threads.
/// </summary>
internal static unsafe class GemmDriver<TIsa, TVec, TRows>
    where TIsa : struct, ISimdIsa<TVec>
    where TVec : struct
    where TRows : struct, IKernelRows
{
    /// <summary>Largest K slice: a 256 x 32-float B panel slice is 32 KiB, inside the 48 KiB L1 of Zen 5.</summary>
    public const int MaxDepth = 256;

    /// <summary>Largest row block; its row pointers live on the stack.</summary>
    private const int MaxBlockRows = 256;

    /// <summary>Floats of A per block: 256 KiB, a quarter of L2, so B panels passing through do not evict it.</summary>
    private const int BlockFloats = 64 * 1024;

    /// <summary>
    /// C rows [rowStart, rowEnd) x panels [panelStart, panelEnd) = (accumulate ? C : 0) + A * B, for K &gt; 0
    /// (<see cref="Gemm"/> handles K = 0 itself). With
    /// <paramref name="copyA"/>, each block's A slice is first copied to a contiguous buffer: worth one extra pass
    /// when the block is reused by many B panels, since it takes strided rows (possibly 4 KiB apart, all competing
    /// for one L1 set) out of the inner loop. A transposed, step-major copy was measured slower: its scalar shuffle
    /// cost more than the kernel gained.
    /// </summary>
    [SkipLocalsInit]
    public static void Run<TMap>(
        TMap map, int rowStart, int rowEnd, int panelStart, int panelEnd, PackedMatrix b, float* bData,
        bool accumulate, bool copyA)
        where TMap : struct, IRowMap
    {
        int mr = TRows.Count;
        int k = b.K;
        int slices = (k + MaxDepth - 1) / MaxDepth;
        int depth = (k + slices - 1) / slices;
        int blockRows = Math.Clamp(BlockFloats / depth, mr, MaxBlockRows) / mr * mr;
        float** aRows = stackalloc float*[MaxBlockRows];
        float** cRows = stackalloc float*[MaxBlockRows];
        float** copiedRows = stackalloc float*[MaxBlockRows];
        nuint copyBytes = (nuint)blockRows * (nuint)depth * sizeof(float);
        float* copy = copyA ? (float*)NativeMemory.AlignedAlloc(copyBytes, 64) : null;
        try
        {
            for (int row0 = rowStart; row0 < rowEnd; row0 += blockRows)
            {
                int rows = Math.Min(blockRows, rowEnd - row0);
                int padded = (rows + mr - 1) / mr * mr;

                // Padding rows repeat the block's last row for both A and C: they compute the very same values and
                // store them to the same place, so the kernel needs no row-count branches.
                for (int r = 0; r < padded; r++)
                {
                    int row = row0 + Math.Min(r, rows - 1);
                    aRows[r] = map.ARow(row);
                    cRows[r] = map.CRow(row);
                }

                for (int k0 = 0; k0 < k; k0 += depth)
                {
                    int kc = Math.Min(depth, k - k0);
                    bool loadC = accumulate || k0 > 0;
                    float** kernelRows = aRows;
                    int aOffset = k0;
                    if (copyA)
                    {
                        CopyRows(aRows, rows, padded, k0, kc, copy, copiedRows);
                        kernelRows = copiedRows;
                        aOffset = 0;
                    }

                    for (int panel = panelStart; panel < panelEnd; panel++)
                    {
                        SweepPanel(kernelRows, aOffset, b, bData, panel, k0, kc, cRows, rows, padded, loadC, !copyA);
                    }
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(copy);
        }
    }

    /// <summary>
    /// The accumulating product of <see cref="Gemm.MultiplyRowsIndirect"/>. The sparse convolutions call it once per
    /// offset per tile with a few dozen rows, where the blocking of <see cref="Run{TMap}"/> costs as much as the
    /// arithmetic; so when K fits one slice and every panel is whole registers wide, row groups go straight to the
    /// kernel. Same kernel, same summation order, same bits.
    /// </summary>
    [SkipLocalsInit]
    public static void RunIndirect(IndirectRows rows, int m, PackedMatrix b, float* bData)
    {
        if (b.K > MaxDepth || b.N % b.VectorWidth != 0)
        {
            Run(rows, 0, m, 0, b.PanelCount, b, bData, accumulate: true, copyA: false);
            return;
        }

        int mr = TRows.Count;
        float** aGroup = stackalloc float*[GemmKernel.MaxRows];
        float** cGroup = stackalloc float*[GemmKernel.MaxRows];
        for (int panel = 0; panel < b.PanelCount; panel++)
        {
            int width = panel < b.FullPanels ? b.PanelWidth : b.TailVectors * b.VectorWidth;
            float* bSlice = bData + b.PanelOffset(panel);
            int column = panel * b.PanelWidth;
            for (int g = 0; g < m; g += mr)
            {
                // Padding rows repeat the group's last row (see Run).
                int last = Math.Min(g + mr, m) - 1;
                for (int r = 0; r < mr; r++)
                {
                    int row = Math.Min(g + r, last);
                    aGroup[r] = rows.ARow(row);
                    cGroup[r] = rows.CRow(row);
                }

                if (panel == 0)
                {
                    for (int row = g + mr, end = Math.Min(g + (2 * mr), m); row < end; row++)
                    {
                        Prefetch.Row(rows.ARow(row), (nuint)b.K);
                        Prefetch.Row(rows.CRow(row), (nuint)b.N);
                    }
                }

                Kernel(aGroup, 0, bSlice, b.K, cGroup, column, width, loadC: true);
            }
        }
    }

    private static void CopyRows(float** aRows, int rows, int padded, int k0, int kc, float* copy, float** copiedRows)
    {
        long bytes = (long)kc * sizeof(float);
        for (int r = 0; r < rows; r++)
        {
            copiedRows[r] = copy + ((long)r * kc);
            Buffer.MemoryCopy(aRows[r] + k0, copiedRows[r], bytes, bytes);
        }

        for (int r = rows; r < padded; r++)
        {
            copiedRows[r] = copiedRows[rows - 1];
        }
    }

    /// <summary>
    /// Every row group of the block against one panel. When N stops inside the panel, the kernel works on a stack
    /// tile of the full panel width and only the columns that exist are copied between the tile and C.
    /// </summary>
    [SkipLocalsInit]
    private static void SweepPanel(
        float** aRows, int aOffset, PackedMatrix b, float* bData, int panel, int k0, int kc, float** cRows, int rows,
        int padded, bool loadC, bool prefetch)
    {
        int mr = TRows.Count;
        bool full = panel < b.FullPanels;
        int width = full ? b.PanelWidth : b.TailVectors * b.VectorWidth;
        float* bSlice = bData + b.PanelOffset(panel) + ((long)k0 * width);
        int column = panel * b.PanelWidth;
        if (full || b.TailColumns == width)
        {
            for (int g = 0; g < padded; g += mr)
            {
                if (prefetch && g + mr < padded)
                {
                    PrefetchGroup(aRows + g + mr, aOffset, kc, cRows + g + mr, column, width);
                }

                Kernel(aRows + g, aOffset, bSlice, kc, cRows + g, column, width, loadC);
            }

            return;
        }

        int columns = b.TailColumns;
        float* tile = stackalloc float[GemmKernel.MaxRows * 2 * TIsa.Count];
        float** tileRows = stackalloc float*[GemmKernel.MaxRows];
        for (int g = 0; g < rows; g += mr)
        {
            int valid = Math.Min(mr, rows - g);
            for (int r = 0; r < mr; r++)
            {
                tileRows[r] = tile + (Math.Min(r, valid - 1) * width);
            }

            if (loadC)
            {
                for (int r = 0; r < valid; r++)
                {
                    var source = new ReadOnlySpan<float>(cRows[g + r] + column, columns);
                    source.CopyTo(new Span<float>(tileRows[r], columns));
                }
            }

            Kernel(aRows + g, aOffset, bSlice, kc, tileRows, 0, width, loadC);
            for (int r = 0; r < valid; r++)
            {
                new ReadOnlySpan<float>(tileRows[r], columns).CopyTo(new Span<float>(cRows[g + r] + column, columns));
            }
        }
    }

    /// <summary>
    /// Requests the A and C rows of the next row group while the kernel works on this one. Rows reached through an
    /// index are invisible to the hardware prefetchers; measured 10-60 % faster on scattered rows and no slower on
    /// dense ones.
    /// </summary>
    private static void PrefetchGroup(float** aRows, int aOffset, int kc, float** cRows, int column, int width)
    {
        for (int r = 0; r < TRows.Count; r++)
        {
            Prefetch.Row(aRows[r] + aOffset, (nuint)kc);
            Prefetch.Row(cRows[r] + column, (nuint)width);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel(
        float** aRows, int aOffset, float* bSlice, int kc, float** cRows, int column, int width, bool loadC)
    {
        if (width == 2 * TIsa.Count)
        {
            GemmKernel.Run<TIsa, TVec, TRows, TwoVectors>(aRows, aOffset, bSlice, kc, cRows, column, loadC);
        }
        else
        {
            GemmKernel.Run<TIsa, TVec, TRows, OneVector>(aRows, aOffset, bSlice, kc, cRows, column, loadC);
        }
    }
}
