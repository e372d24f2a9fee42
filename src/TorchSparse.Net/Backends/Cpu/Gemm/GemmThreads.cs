namespace TorchSparse.Backends.Cpu;

/// <summary>
/// Splits one dense product between threads by rows (tall C) or by B panels (short, wide C). Each thread owns whole
/// output elements and runs the full K chain for them, so the split never changes a result bit.
/// </summary>
internal static unsafe class GemmThreads<TIsa, TVec, TRows>
    where TIsa : struct, ISimdIsa<TVec>
    where TVec : struct
    where TRows : struct, IKernelRows
{
    /// <summary>Smallest row share worth a thread: a few kernel row groups.</summary>
    private const int MinRowsPerThread = 4 * GemmKernel.MaxRows;

    /// <summary>
    /// A blocks are copied to contiguous memory only when enough B panels reuse them to repay the copy; for the
    /// tall-skinny products of sparse convolution (N of 16 to 128) the kernel reads A rows where they are.
    /// </summary>
    private const int CopyAMinPanels = 8;

    public static void Run(DenseRows rows, int m, PackedMatrix b, bool accumulate, int threads)
    {
        bool copyA = b.PanelCount >= CopyAMinPanels;
        int mr = TRows.Count;
        fixed (float* bData = &b.Storage[b.Offset])
        {
            if (m >= threads * MinRowsPerThread || b.PanelCount < threads)
            {
                // Row shares are whole kernel row groups, so only the last share has a partial group.
                var work = new RowShares(rows, m, b, bData, accumulate, copyA);
                ParallelRanges.Run((m + mr - 1) / mr, threads, 1, work);
            }
            else
            {
                var work = new PanelShares(rows, m, b, bData, accumulate, copyA);
                ParallelRanges.Run(b.PanelCount, threads, 1, work);
            }
        }
    }

    /// <summary>Row groups [start, end) against every panel.</summary>
    private readonly struct RowShares(
        DenseRows rows, int m, PackedMatrix b, float* bData, bool accumulate, bool copyA) : IRangeWork
    {
        public void Run(int start, int end) => GemmDriver<TIsa, TVec, TRows>.Run(
            rows, start * TRows.Count, Math.Min(m, end * TRows.Count), 0, b.PanelCount, b, bData, accumulate, copyA);
    }

    /// <summary>Every row against panels [start, end).</summary>
    private readonly struct PanelShares(
        DenseRows rows, int m, PackedMatrix b, float* bData, bool accumulate, bool copyA) : IRangeWork
    {
        public void Run(int start, int end) =>
            GemmDriver<TIsa, TVec, TRows>.Run(rows, 0, m, start, end, b, bData, accumulate, copyA);
    }
}
