using System.Runtime.CompilerServices;

namespace TorchSparse.Backends.Cpu;

/// <summary>
/// The register-blocked micro-kernel: a tile of <c>TRows.Count</c> rows by one packed-B panel
/// (<c>TPanel.Vectors</c> registers wide) is held in registers for the whole K loop, so every B register load feeds
/// <c>TRows.Count</c> FMAs and every A broadcast feeds <c>TPanel.Vectors</c>. Rows are written out up to
/// <see cref="MaxRows"/>; the JIT removes every row at or beyond <c>TRows.Count</c>, as the count is a constant of the
/// specialisation. Optional work is guarded by <c>if</c> statements, not <c>?:</c>: a conditional expression puts
/// each FMA result in a temporary, and the JIT then emits a register copy after every second FMA.
/// </summary>
/// <remarks>
/// Summation order, the same for every caller: each output is one chain <c>c = fma(a[k], b[k], c)</c> over
/// k = 0, 1, ..., K-1, starting from the existing C value (<c>loadC</c>) or from zero. Splitting K into blocks keeps
/// that order because the next block resumes from the stored fp32 partial, so dense, indirect and blocked calls of
/// the same ISA give identical bits.
/// </remarks>
internal static unsafe class GemmKernel
{
    public const int MaxRows = 8;

    /// <summary>
    /// <c>C tile = (loadC ? C tile : 0) + A tile * B panel</c> over <paramref name="k"/> steps. A element
    /// (row r, step s) is <c>aRows[r][aOffset + s]</c>; B row s is the <c>TPanel.Vectors * Count</c> floats at
    /// <c>b + s * TPanel.Vectors * Count</c>; row r of the C tile lives at <c>cRows[r] + cOffset</c>.
    /// </summary>
    /// <remarks>
    /// Compiled fully optimised on first call: a GEMM makes thousands of kernel calls, and the tier-0 code the runtime
    /// would otherwise start with (no inlining of the ISA structs) is more than ten times slower.
    /// </remarks>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TIsa, TVec, TRows, TPanel>(
        float** aRows, nint aOffset, float* b, nint k, float** cRows, nint cOffset, bool loadC)
        where TIsa : struct, ISimdIsa<TVec>
        where TVec : struct
        where TRows : struct, IKernelRows
        where TPanel : struct, IPanelVectors
    {
        nint w = TIsa.Count;
        nint panelStride = TPanel.Vectors * w;
        bool two = TPanel.Vectors == 2;

        float* a0 = aRows[0] + aOffset;
        float* a1 = TRows.Count > 1 ? aRows[1] + aOffset : null;
        float* a2 = TRows.Count > 2 ? aRows[2] + aOffset : null;
        float* a3 = TRows.Count > 3 ? aRows[3] + aOffset : null;
        float* a4 = TRows.Count > 4 ? aRows[4] + aOffset : null;
        float* a5 = TRows.Count > 5 ? aRows[5] + aOffset : null;
        float* a6 = TRows.Count > 6 ? aRows[6] + aOffset : null;
        float* a7 = TRows.Count > 7 ? aRows[7] + aOffset : null;

        TVec c00 = TIsa.Zero, c01 = TIsa.Zero;
        TVec c10 = TIsa.Zero, c11 = TIsa.Zero;
        TVec c20 = TIsa.Zero, c21 = TIsa.Zero;
        TVec c30 = TIsa.Zero, c31 = TIsa.Zero;
        TVec c40 = TIsa.Zero, c41 = TIsa.Zero;
        TVec c50 = TIsa.Zero, c51 = TIsa.Zero;
        TVec c60 = TIsa.Zero, c61 = TIsa.Zero;
        TVec c70 = TIsa.Zero, c71 = TIsa.Zero;

        if (loadC)
        {
            c00 = TIsa.Load(cRows[0] + cOffset);
            if (two)
            {
                c01 = TIsa.Load(cRows[0] + cOffset + w);
            }

            if (TRows.Count > 1)
            {
                c10 = TIsa.Load(cRows[1] + cOffset);
                if (two)
                {
                    c11 = TIsa.Load(cRows[1] + cOffset + w);
                }
            }

            if (TRows.Count > 2)
            {
                c20 = TIsa.Load(cRows[2] + cOffset);
                if (two)
                {
                    c21 = TIsa.Load(cRows[2] + cOffset + w);
                }
            }

            if (TRows.Count > 3)
            {
                c30 = TIsa.Load(cRows[3] + cOffset);
                if (two)
                {
                    c31 = TIsa.Load(cRows[3] + cOffset + w);
                }
            }

            if (TRows.Count > 4)
            {
                c40 = TIsa.Load(cRows[4] + cOffset);
                if (two)
                {
                    c41 = TIsa.Load(cRows[4] + cOffset + w);
                }
            }

            if (TRows.Count > 5)
            {
                c50 = TIsa.Load(cRows[5] + cOffset);
                if (two)
                {
                    c51 = TIsa.Load(cRows[5] + cOffset + w);
                }
            }

            if (TRows.Count > 6)
            {
                c60 = TIsa.Load(cRows[6] + cOffset);
                if (two)
                {
                    c61 = TIsa.Load(cRows[6] + cOffset + w);
                }
            }

            if (TRows.Count > 7)
            {
                c70 = TIsa.Load(cRows[7] + cOffset);
                if (two)
                {
                    c71 = TIsa.Load(cRows[7] + cOffset + w);
                }
            }
        }

        nint s = 0;
        for (nint i = 0; i < k; i++)
        {
            TVec b0 = TIsa.Load(b);
            TVec b1 = b0;
            if (two)
            {
                b1 = TIsa.Load(b + w);
            }

            TVec a;
            a = TIsa.Broadcast(a0 + s);
            c00 = TIsa.MultiplyAdd(a, b0, c00);
            if (two)
            {
                c01 = TIsa.MultiplyAdd(a, b1, c01);
            }

            if (TRows.Count > 1)
            {
                a = TIsa.Broadcast(a1 + s);
                c10 = TIsa.MultiplyAdd(a, b0, c10);
                if (two)
                {
                    c11 = TIsa.MultiplyAdd(a, b1, c11);
                }
            }

            if (TRows.Count > 2)
            {
                a = TIsa.Broadcast(a2 + s);
                c20 = TIsa.MultiplyAdd(a, b0, c20);
                if (two)
                {
                    c21 = TIsa.MultiplyAdd(a, b1, c21);
                }
            }

            if (TRows.Count > 3)
            {
                a = TIsa.Broadcast(a3 + s);
                c30 = TIsa.MultiplyAdd(a, b0, c30);
                if (two)
                {
                    c31 = TIsa.MultiplyAdd(a, b1, c31);
                }
            }

            if (TRows.Count > 4)
            {
                a = TIsa.Broadcast(a4 + s);
                c40 = TIsa.MultiplyAdd(a, b0, c40);
                if (two)
                {
                    c41 = TIsa.MultiplyAdd(a, b1, c41);
                }
            }

            if (TRows.Count > 5)
            {
                a = TIsa.Broadcast(a5 + s);
                c50 = TIsa.MultiplyAdd(a, b0, c50);
                if (two)
                {
                    c51 = TIsa.MultiplyAdd(a, b1, c51);
                }
            }

            if (TRows.Count > 6)
            {
                a = TIsa.Broadcast(a6 + s);
                c60 = TIsa.MultiplyAdd(a, b0, c60);
                if (two)
                {
                    c61 = TIsa.MultiplyAdd(a, b1, c61);
                }
            }

            if (TRows.Count > 7)
            {
                a = TIsa.Broadcast(a7 + s);
                c70 = TIsa.MultiplyAdd(a, b0, c70);
                if (two)
                {
                    c71 = TIsa.MultiplyAdd(a, b1, c71);
                }
            }

            s++;
            b += panelStride;
        }

        TIsa.Store(c00, cRows[0] + cOffset);
        if (two)
        {
            TIsa.Store(c01, cRows[0] + cOffset + w);
        }

        if (TRows.Count > 1)
        {
            TIsa.Store(c10, cRows[1] + cOffset);
            if (two)
            {
                TIsa.Store(c11, cRows[1] + cOffset + w);
            }
        }

        if (TRows.Count > 2)
        {
            TIsa.Store(c20, cRows[2] + cOffset);
            if (two)
            {
                TIsa.Store(c21, cRows[2] + cOffset + w);
            }
        }

        if (TRows.Count > 3)
        {
            TIsa.Store(c30, cRows[3] + cOffset);
            if (two)
            {
                TIsa.Store(c31, cRows[3] + cOffset + w);
            }
        }

        if (TRows.Count > 4)
        {
            TIsa.Store(c40, cRows[4] + cOffset);
            if (two)
            {
                TIsa.Store(c41, cRows[4] + cOffset + w);
            }
        }

        if (TRows.Count > 5)
        {
            TIsa.Store(c50, cRows[5] + cOffset);
            if (two)
            {
                TIsa.Store(c51, cRows[5] + cOffset + w);
            }
        }

        if (TRows.Count > 6)
        {
            TIsa.Store(c60, cRows[6] + cOffset);
            if (two)
            {
                TIsa.Store(c61, cRows[6] + cOffset + w);
            }
        }

        if (TRows.Count > 7)
        {
            TIsa.Store(c70, cRows[7] + cOffset);
            if (two)
            {
                TIsa.Store(c71, cRows[7] + cOffset + w);
            }
        }
    }
}
