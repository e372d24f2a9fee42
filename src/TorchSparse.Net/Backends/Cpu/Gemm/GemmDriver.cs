using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TorchSparse.Backends.Cpu;

/// <summary>
/// Cache blocking around <see cref="GemmKernel"/> for one vector width: rows of A and C are taken in blocks that stay
/// in L2, K in slices whose B panel slice stays in L1, and within a block every B panel is swept across every group
/// of <c>TRows.Count</c> rows. Single-threaded; <see cref="Gemm"/> splits the work between threads.
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

    /// <summary>K slice length: K split into equal slices of at most <see cref="MaxDepth"/>.</summary>
    public static int Depth(int k)
    {
        int slices = (k + MaxDepth - 1) / MaxDepth;
        return (k + slices - 1) / Math.Max(slices, 1);
    }

    /// <summary>Rows per block for a K slice of <paramref name="depth"/>: a multiple of the kernel's rows.</summary>
    public static int BlockRows(int depth)
    {
        int rows = Math.Clamp(BlockFloats / Math.Max(depth, 1), TRows.Count, MaxBlockRows);
        return rows / TRows.Count * TRows.Count;
    }

    /// <summary>
    /// C rows [rowStart, rowEnd) x panels [panelStart, panelEnd) = (accumulate ? C : 0) + A * B. With
    /// <typeparamref name="TAccess"/> packed, each A block is first copied into step-major kernel panels (worth it
    /// when K is long or B has many panels); otherwise the kernel reads A rows where they are.
    /// </summary>
    [SkipLocalsInit]
    public static void Run<TMap, TAccess>(
        TMap map, int rowStart, int rowEnd, int panelStart, int panelEnd, PackedMatrix b, float* bData, bool accumulate)
        where TMap : struct, IRowMap
        where TAccess : struct, IAAccess
    {
        int mr = TRows.Count;
        int k = b.K;
        int depth = Depth(k);
        int blockRows = BlockRows(depth);
        float** aRows = stackalloc float*[MaxBlockRows + GemmKernel.MaxRows];
        float** cRows = stackalloc float*[MaxBlockRows + GemmKernel.MaxRows];
        float* packedA = TAccess.Packed
            ? (float*)NativeMemory.AlignedAlloc((nuint)blockRows * (nuint)depth * sizeof(float), 64)
            : null;
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
                    if (TAccess.Packed)
                    {
                        GemmPackA.Pack(aRows, padded, mr, k0, kc, packedA);
                    }

                    for (int panel = panelStart; panel < panelEnd; panel++)
                    {
                        bool full = panel < b.FullPanels;
                        int width = full ? b.PanelWidth : b.TailVectors * b.VectorWidth;
                        float* bSlice = bData + b.PanelOffset(panel) + ((long)k0 * width);
                        int column = panel * b.PanelWidth;
                        if (full || b.TailColumns == width)
                        {
                            SweepPanel<TAccess>(packedA, aRows, k0, bSlice, kc, cRows, column, padded, width, loadC);
                        }
                        else
                        {
                            SweepTailPanel<TAccess>(packedA, aRows, k0, bSlice, kc, cRows, column, rows, b, loadC);
                        }
                    }
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(packedA);
        }
    }

    /// <summary>Every row group of the block against one panel whose columns all lie inside C.</summary>
    private static void SweepPanel<TAccess>(
        float* packedA, float** aRows, int k0, float* bSlice, int kc, float** cRows, int column, int padded, int width,
        bool loadC)
        where TAccess : struct, IAAccess
    {
        int mr = TRows.Count;
        for (int g = 0; g < padded; g += mr)
        {
            Kernel<TAccess>(packedA + ((long)g * kc), aRows + g, k0, bSlice, kc, cRows + g, column, width, loadC);
        }
    }

    /// <summary>
    /// The last panel when N stops inside it: the kernel works on a stack tile of the full panel width and only the
    /// columns that exist are copied between the tile and C.
    /// </summary>
    [SkipLocalsInit]
    private static void SweepTailPanel<TAccess>(
        float* packedA, float** aRows, int k0, float* bSlice, int kc, float** cRows, int column, int rows,
        PackedMatrix b, bool loadC)
        where TAccess : struct, IAAccess
    {
        int mr = TRows.Count;
        int width = b.TailVectors * b.VectorWidth;
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

            Kernel<TAccess>(packedA + ((long)g * kc), aRows + g, k0, bSlice, kc, tileRows, 0, width, loadC);
            for (int r = 0; r < valid; r++)
            {
                new ReadOnlySpan<float>(tileRows[r], columns).CopyTo(new Span<float>(cRows[g + r] + column, columns));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel<TAccess>(
        float* packedA, float** aRows, int k0, float* bSlice, int kc, float** cRows, int column, int width, bool loadC)
        where TAccess : struct, IAAccess
    {
        if (width == 2 * TIsa.Count)
        {
            GemmKernel.Run<TIsa, TVec, TRows, TwoVectors, TAccess>(
                packedA, aRows, k0, bSlice, kc, cRows, column, loadC);
        }
        else
        {
            GemmKernel.Run<TIsa, TVec, TRows, OneVector, TAccess>(
                packedA, aRows, k0, bSlice, kc, cRows, column, loadC);
        }
    }
}
