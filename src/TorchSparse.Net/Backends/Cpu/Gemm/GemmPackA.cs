namespace TorchSparse.Backends.Cpu;

/// <summary>
/// Copies a block of A rows into the step-major panels <see cref="GemmKernel"/> reads with
/// <see cref="PackedAAccess"/>: for each group of <c>mr</c> rows, the <c>mr</c> values of step 0, then of step 1, ...
/// so the kernel's broadcasts walk one contiguous, L1-resident stream instead of <c>mr</c> strided rows.
/// </summary>
internal static unsafe class GemmPackA
{
    /// <summary>
    /// Packs steps [k0, k0 + kc) of the <paramref name="rows"/> rows at <paramref name="aRows"/> (a multiple of
    /// <paramref name="mr"/>) into <paramref name="destination"/>, group g at offset <c>g * kc</c>.
    /// </summary>
    public static void Pack(float** aRows, int rows, int mr, int k0, int kc, float* destination)
    {
        for (int g = 0; g < rows; g += mr)
        {
            float* panel = destination + ((long)g * kc);
            for (int r = 0; r < mr; r++)
            {
                float* source = aRows[g + r] + k0;
                float* target = panel + r;
                for (int s = 0; s < kc; s++)
                {
                    target[(long)s * mr] = source[s];
                }
            }
        }
    }
}
