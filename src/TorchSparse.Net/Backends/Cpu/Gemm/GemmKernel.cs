using System.Runtime.CompilerServices;

namespace TorchSparse.Backends.Cpu;

/// <summary>
/// The register-blocked micro-kernel: a tile of <c>TRows.Count</c> rows by one packed-B panel
/// (<c>TPanel.Vectors</c> registers wide) is held in registers for the whole K loop, so every B register load feeds
/// <c>TRows.Count</c> FMAs and every A broadcast feeds <c>TPanel.Vectors</c>. Rows are written out up to
/// <see cref="MaxRows"/>; the JIT removes every row at or beyond <c>TRows.Count</c>, as the count is a constant of the
/// specialisation.
/// </summary>
/// <remarks>
/// Summation order, the same for every caller: each output is one chain <c>c = fma(a[k], b[k], c)</c> over
/// k = 0, 1, ..., K-1, starting from the existing C value (<c>loadC</c>) or from zero. Splitting K into blocks keeps
/// that order because the next block resumes from the stored fp32 partial, so dense, indirect and blocked calls of
/// the same ISA give identical bits.
/// </remarks>
internal static unsafe class GemmKernel
{
    public const int MaxRows = 12;

    /// <summary>
    /// <c>C tile = (loadC ? C tile : 0) + A tile * B panel</c> over <paramref name="k"/> steps.
    /// A element (row r, step s) is <c>aPacked[s * TRows.Count + r]</c> when <typeparamref name="TAccess"/> reads
    /// packed panels, else <c>aRows[r][aOffset + s]</c>. B row s is the <c>TPanel.Vectors * Count</c> floats at
    /// <c>b + s * TPanel.Vectors * Count</c>. Row r of the tile lives at <c>cRows[r] + cOffset</c>.
    /// </summary>
    [SkipLocalsInit]
    public static void Run<TIsa, TVec, TRows, TPanel, TAccess>(
        float* aPacked, float** aRows, nint aOffset, float* b, nint k, float** cRows, nint cOffset, bool loadC)
        where TIsa : struct, ISimdIsa<TVec>
        where TVec : struct
        where TRows : struct, IKernelRows
        where TPanel : struct, IPanelVectors
        where TAccess : struct, IAAccess
    {
        nint w = TIsa.Count;
        nint panelStride = TPanel.Vectors * w;
        bool two = TPanel.Vectors == 2;

        float* a0 = !TAccess.Packed ? aRows[0] + aOffset : null;
        float* a1 = TRows.Count > 1 && !TAccess.Packed ? aRows[1] + aOffset : null;
        float* a2 = TRows.Count > 2 && !TAccess.Packed ? aRows[2] + aOffset : null;
        float* a3 = TRows.Count > 3 && !TAccess.Packed ? aRows[3] + aOffset : null;
        float* a4 = TRows.Count > 4 && !TAccess.Packed ? aRows[4] + aOffset : null;
        float* a5 = TRows.Count > 5 && !TAccess.Packed ? aRows[5] + aOffset : null;
        float* a6 = TRows.Count > 6 && !TAccess.Packed ? aRows[6] + aOffset : null;
        float* a7 = TRows.Count > 7 && !TAccess.Packed ? aRows[7] + aOffset : null;
        float* a8 = TRows.Count > 8 && !TAccess.Packed ? aRows[8] + aOffset : null;
        float* a9 = TRows.Count > 9 && !TAccess.Packed ? aRows[9] + aOffset : null;
        float* a10 = TRows.Count > 10 && !TAccess.Packed ? aRows[10] + aOffset : null;
        float* a11 = TRows.Count > 11 && !TAccess.Packed ? aRows[11] + aOffset : null;

        TVec c00 = TIsa.Zero, c01 = TIsa.Zero;
        TVec c10 = TIsa.Zero, c11 = TIsa.Zero;
        TVec c20 = TIsa.Zero, c21 = TIsa.Zero;
        TVec c30 = TIsa.Zero, c31 = TIsa.Zero;
        TVec c40 = TIsa.Zero, c41 = TIsa.Zero;
        TVec c50 = TIsa.Zero, c51 = TIsa.Zero;
        TVec c60 = TIsa.Zero, c61 = TIsa.Zero;
        TVec c70 = TIsa.Zero, c71 = TIsa.Zero;
        TVec c80 = TIsa.Zero, c81 = TIsa.Zero;
        TVec c90 = TIsa.Zero, c91 = TIsa.Zero;
        TVec c100 = TIsa.Zero, c101 = TIsa.Zero;
        TVec c110 = TIsa.Zero, c111 = TIsa.Zero;

        if (loadC)
        {
            c00 = TIsa.Load(cRows[0] + cOffset);
            c01 = two ? TIsa.Load(cRows[0] + cOffset + w) : c01;

            if (TRows.Count > 1)
            {
                c10 = TIsa.Load(cRows[1] + cOffset);
                c11 = two ? TIsa.Load(cRows[1] + cOffset + w) : c11;
            }

            if (TRows.Count > 2)
            {
                c20 = TIsa.Load(cRows[2] + cOffset);
                c21 = two ? TIsa.Load(cRows[2] + cOffset + w) : c21;
            }

            if (TRows.Count > 3)
            {
                c30 = TIsa.Load(cRows[3] + cOffset);
                c31 = two ? TIsa.Load(cRows[3] + cOffset + w) : c31;
            }

            if (TRows.Count > 4)
            {
                c40 = TIsa.Load(cRows[4] + cOffset);
                c41 = two ? TIsa.Load(cRows[4] + cOffset + w) : c41;
            }

            if (TRows.Count > 5)
            {
                c50 = TIsa.Load(cRows[5] + cOffset);
                c51 = two ? TIsa.Load(cRows[5] + cOffset + w) : c51;
            }

            if (TRows.Count > 6)
            {
                c60 = TIsa.Load(cRows[6] + cOffset);
                c61 = two ? TIsa.Load(cRows[6] + cOffset + w) : c61;
            }

            if (TRows.Count > 7)
            {
                c70 = TIsa.Load(cRows[7] + cOffset);
                c71 = two ? TIsa.Load(cRows[7] + cOffset + w) : c71;
            }

            if (TRows.Count > 8)
            {
                c80 = TIsa.Load(cRows[8] + cOffset);
                c81 = two ? TIsa.Load(cRows[8] + cOffset + w) : c81;
            }

            if (TRows.Count > 9)
            {
                c90 = TIsa.Load(cRows[9] + cOffset);
                c91 = two ? TIsa.Load(cRows[9] + cOffset + w) : c91;
            }

            if (TRows.Count > 10)
            {
                c100 = TIsa.Load(cRows[10] + cOffset);
                c101 = two ? TIsa.Load(cRows[10] + cOffset + w) : c101;
            }

            if (TRows.Count > 11)
            {
                c110 = TIsa.Load(cRows[11] + cOffset);
                c111 = two ? TIsa.Load(cRows[11] + cOffset + w) : c111;
            }
        }

        nint aStep = TAccess.Packed ? TRows.Count : 1;
        nint s = 0;
        for (nint i = 0; i < k; i++)
        {
            TVec b0 = TIsa.Load(b);
            TVec b1 = two ? TIsa.Load(b + w) : b0;
            TVec a;
            a = TAccess.Packed ? TIsa.Broadcast(aPacked + s + 0) : TIsa.Broadcast(a0 + s);
            c00 = TIsa.MultiplyAdd(a, b0, c00);
            c01 = two ? TIsa.MultiplyAdd(a, b1, c01) : c01;

            if (TRows.Count > 1)
            {
                a = TAccess.Packed ? TIsa.Broadcast(aPacked + s + 1) : TIsa.Broadcast(a1 + s);
                c10 = TIsa.MultiplyAdd(a, b0, c10);
                c11 = two ? TIsa.MultiplyAdd(a, b1, c11) : c11;
            }

            if (TRows.Count > 2)
            {
                a = TAccess.Packed ? TIsa.Broadcast(aPacked + s + 2) : TIsa.Broadcast(a2 + s);
                c20 = TIsa.MultiplyAdd(a, b0, c20);
                c21 = two ? TIsa.MultiplyAdd(a, b1, c21) : c21;
            }

            if (TRows.Count > 3)
            {
                a = TAccess.Packed ? TIsa.Broadcast(aPacked + s + 3) : TIsa.Broadcast(a3 + s);
                c30 = TIsa.MultiplyAdd(a, b0, c30);
                c31 = two ? TIsa.MultiplyAdd(a, b1, c31) : c31;
            }

            if (TRows.Count > 4)
            {
                a = TAccess.Packed ? TIsa.Broadcast(aPacked + s + 4) : TIsa.Broadcast(a4 + s);
                c40 = TIsa.MultiplyAdd(a, b0, c40);
                c41 = two ? TIsa.MultiplyAdd(a, b1, c41) : c41;
            }

            if (TRows.Count > 5)
            {
                a = TAccess.Packed ? TIsa.Broadcast(aPacked + s + 5) : TIsa.Broadcast(a5 + s);
                c50 = TIsa.MultiplyAdd(a, b0, c50);
                c51 = two ? TIsa.MultiplyAdd(a, b1, c51) : c51;
            }

            if (TRows.Count > 6)
            {
                a = TAccess.Packed ? TIsa.Broadcast(aPacked + s + 6) : TIsa.Broadcast(a6 + s);
                c60 = TIsa.MultiplyAdd(a, b0, c60);
                c61 = two ? TIsa.MultiplyAdd(a, b1, c61) : c61;
            }

            if (TRows.Count > 7)
            {
                a = TAccess.Packed ? TIsa.Broadcast(aPacked + s + 7) : TIsa.Broadcast(a7 + s);
                c70 = TIsa.MultiplyAdd(a, b0, c70);
                c71 = two ? TIsa.MultiplyAdd(a, b1, c71) : c71;
            }

            if (TRows.Count > 8)
            {
                a = TAccess.Packed ? TIsa.Broadcast(aPacked + s + 8) : TIsa.Broadcast(a8 + s);
                c80 = TIsa.MultiplyAdd(a, b0, c80);
                c81 = two ? TIsa.MultiplyAdd(a, b1, c81) : c81;
            }

            if (TRows.Count > 9)
            {
                a = TAccess.Packed ? TIsa.Broadcast(aPacked + s + 9) : TIsa.Broadcast(a9 + s);
                c90 = TIsa.MultiplyAdd(a, b0, c90);
                c91 = two ? TIsa.MultiplyAdd(a, b1, c91) : c91;
            }

            if (TRows.Count > 10)
            {
                a = TAccess.Packed ? TIsa.Broadcast(aPacked + s + 10) : TIsa.Broadcast(a10 + s);
                c100 = TIsa.MultiplyAdd(a, b0, c100);
                c101 = two ? TIsa.MultiplyAdd(a, b1, c101) : c101;
            }

            if (TRows.Count > 11)
            {
                a = TAccess.Packed ? TIsa.Broadcast(aPacked + s + 11) : TIsa.Broadcast(a11 + s);
                c110 = TIsa.MultiplyAdd(a, b0, c110);
                c111 = two ? TIsa.MultiplyAdd(a, b1, c111) : c111;
            }

            s += aStep;
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

        if (TRows.Count > 8)
        {
            TIsa.Store(c80, cRows[8] + cOffset);
            if (two)
            {
                TIsa.Store(c81, cRows[8] + cOffset + w);
            }
        }

        if (TRows.Count > 9)
        {
            TIsa.Store(c90, cRows[9] + cOffset);
            if (two)
            {
                TIsa.Store(c91, cRows[9] + cOffset + w);
            }
        }

        if (TRows.Count > 10)
        {
            TIsa.Store(c100, cRows[10] + cOffset);
            if (two)
            {
                TIsa.Store(c101, cRows[10] + cOffset + w);
            }
        }

        if (TRows.Count > 11)
        {
            TIsa.Store(c110, cRows[11] + cOffset);
            if (two)
            {
                TIsa.Store(c111, cRows[11] + cOffset + w);
            }
        }
    }
}
