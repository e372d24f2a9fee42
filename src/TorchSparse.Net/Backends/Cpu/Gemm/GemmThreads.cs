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

    public static void Run(DenseRows rows, int m, PackedMatrix b, bool accumulate, int threads, int copyAMinPanels)
    {
        bool copyA = b.PanelCount >= copyAMinPanels;
        int mr = TRows.Count;
        int rowGroups = (m + mr - 1) / mr;
        bool splitRows = m >= threads * MinRowsPerThread || b.PanelCount < threads;
        int parts = Math.Min(threads, splitRows ? rowGroups : b.PanelCount);
        fixed (float* bData = &b.Storage[b.Offset])
        {
            if (parts <= 1)
            {
                RunPart(rows, 0, m, 0, b.PanelCount, b, bData, accumulate, copyA);
                return;
            }

            // Captured as an integer: a lambda cannot capture a pointer, and Storage stays pinned (POH) meanwhile.
            nint bAddress = (nint)bData;
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
            {
                if (splitRows)
                {
                    // Row shares are whole kernel row groups so only the last share has a partial group.
                    int start = (int)((long)rowGroups * part / parts) * mr;
                    int end = Math.Min(m, (int)((long)rowGroups * (part + 1) / parts) * mr);
                    RunPart(rows, start, end, 0, b.PanelCount, b, (float*)bAddress, accumulate, copyA);
                }
                else
                {
                    int start = (int)((long)b.PanelCount * part / parts);
                    int end = (int)((long)b.PanelCount * (part + 1) / parts);
                    RunPart(rows, 0, m, start, end, b, (float*)bAddress, accumulate, copyA);
                }
            });
        }
    }

    private static void RunPart(
        DenseRows rows, int rowStart, int rowEnd, int panelStart, int panelEnd, PackedMatrix b, float* bData,
        bool accumulate, bool copyA)
    {
        if (rowStart >= rowEnd || panelStart >= panelEnd)
        {
            return;
        }

        GemmDriver<TIsa, TVec, TRows>.Run(rows, rowStart, rowEnd, panelStart, panelEnd, b, bData, accumulate, copyA);
    }
}
