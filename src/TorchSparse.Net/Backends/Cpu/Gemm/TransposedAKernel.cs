using System.Runtime.CompilerServices;

namespace TorchSparse.Backends.Cpu;

/// <summary>
/// The register-blocked micro-kernel of <c>C = A^T * B</c>, where A [steps x M] and B [steps x N] are both stored
/// row by row (step-major): every step is one outer product of a row of A (the C rows) and a row of B (the C
/// columns). A tile of <c>TRows.Count</c> C rows by <c>TPanel.Vectors</c> registers stays in registers for all
/// steps; per step the kernel loads the B registers once and broadcasts the tile's consecutive A values, so A needs
/// no transposition and one pointer serves every row (unlike <see cref="GemmKernel"/>, whose A rows are separate).
/// </summary>
/// <remarks>
/// Summation order: each output is one chain <c>c = fma(a[s, r], b[s, j], c)</c> over s = 0, 1, ..., steps-1,
/// starting from the stored C value (<c>loadC</c>) or from zero, so a long product split into consecutive step
/// blocks gives the same bits as one call. Optional rows are guarded by <c>if</c> on constants of the
/// specialisation, which the JIT removes (see <see cref="GemmKernel"/> on why not <c>?:</c>).
/// </remarks>
internal static unsafe class TransposedAKernel
{
    /// <summary>
    /// <c>C tile (+)= sum over s of A[s, 0..Count) outer B[s, 0..width)</c>: A element (s, r) is
    /// <c>a[s * lda + r]</c>, B element (s, j) is <c>b[s * ldb + j]</c>, C row r is <c>c + r * ldc</c>. Every row and
    /// column of the tile must be addressable (the caller pads its buffers).
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TIsa, TVec, TRows, TPanel>(
        float* a, nint lda, float* b, nint ldb, nint steps, float* c, nint ldc, bool loadC)
        where TIsa : struct, ISimdIsa<TVec>
        where TVec : struct
        where TRows : struct, IKernelRows
        where TPanel : struct, IPanelVectors
    {
        nint w = TIsa.Count;
        bool two = TPanel.Vectors == 2;

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
            c00 = TIsa.Load(c);
            if (two)
            {
                c01 = TIsa.Load(c + w);
            }

            if (TRows.Count > 1)
            {
                c10 = TIsa.Load(c + ldc);
                if (two)
                {
                    c11 = TIsa.Load(c + ldc + w);
                }
            }

            if (TRows.Count > 2)
            {
                c20 = TIsa.Load(c + (2 * ldc));
                if (two)
                {
                    c21 = TIsa.Load(c + (2 * ldc) + w);
                }
            }

            if (TRows.Count > 3)
            {
                c30 = TIsa.Load(c + (3 * ldc));
                if (two)
                {
                    c31 = TIsa.Load(c + (3 * ldc) + w);
                }
            }

            if (TRows.Count > 4)
            {
                c40 = TIsa.Load(c + (4 * ldc));
                if (two)
                {
                    c41 = TIsa.Load(c + (4 * ldc) + w);
                }
            }

            if (TRows.Count > 5)
            {
                c50 = TIsa.Load(c + (5 * ldc));
                if (two)
                {
                    c51 = TIsa.Load(c + (5 * ldc) + w);
                }
            }

            if (TRows.Count > 6)
            {
                c60 = TIsa.Load(c + (6 * ldc));
                if (two)
                {
                    c61 = TIsa.Load(c + (6 * ldc) + w);
                }
            }

            if (TRows.Count > 7)
            {
                c70 = TIsa.Load(c + (7 * ldc));
                if (two)
                {
                    c71 = TIsa.Load(c + (7 * ldc) + w);
                }
            }
        }

        for (nint i = 0; i < steps; i++)
        {
            TVec b0 = TIsa.Load(b);
            TVec b1 = b0;
            if (two)
            {
                b1 = TIsa.Load(b + w);
            }

            TVec x;
            x = TIsa.Broadcast(a);
            c00 = TIsa.MultiplyAdd(x, b0, c00);
            if (two)
            {
                c01 = TIsa.MultiplyAdd(x, b1, c01);
            }

            if (TRows.Count > 1)
            {
                x = TIsa.Broadcast(a + 1);
                c10 = TIsa.MultiplyAdd(x, b0, c10);
                if (two)
                {
                    c11 = TIsa.MultiplyAdd(x, b1, c11);
                }
            }

            if (TRows.Count > 2)
            {
                x = TIsa.Broadcast(a + 2);
                c20 = TIsa.MultiplyAdd(x, b0, c20);
                if (two)
                {
                    c21 = TIsa.MultiplyAdd(x, b1, c21);
                }
            }

            if (TRows.Count > 3)
            {
                x = TIsa.Broadcast(a + 3);
                c30 = TIsa.MultiplyAdd(x, b0, c30);
                if (two)
                {
                    c31 = TIsa.MultiplyAdd(x, b1, c31);
                }
            }

            if (TRows.Count > 4)
            {
                x = TIsa.Broadcast(a + 4);
                c40 = TIsa.MultiplyAdd(x, b0, c40);
                if (two)
                {
                    c41 = TIsa.MultiplyAdd(x, b1, c41);
                }
            }

            if (TRows.Count > 5)
            {
                x = TIsa.Broadcast(a + 5);
                c50 = TIsa.MultiplyAdd(x, b0, c50);
                if (two)
                {
                    c51 = TIsa.MultiplyAdd(x, b1, c51);
                }
            }

            if (TRows.Count > 6)
            {
                x = TIsa.Broadcast(a + 6);
                c60 = TIsa.MultiplyAdd(x, b0, c60);
                if (two)
                {
                    c61 = TIsa.MultiplyAdd(x, b1, c61);
                }
            }

            if (TRows.Count > 7)
            {
                x = TIsa.Broadcast(a + 7);
                c70 = TIsa.MultiplyAdd(x, b0, c70);
                if (two)
                {
                    c71 = TIsa.MultiplyAdd(x, b1, c71);
                }
            }

            a += lda;
            b += ldb;
        }

        TIsa.Store(c00, c);
        if (two)
        {
            TIsa.Store(c01, c + w);
        }

        if (TRows.Count > 1)
        {
            TIsa.Store(c10, c + ldc);
            if (two)
            {
                TIsa.Store(c11, c + ldc + w);
            }
        }

        if (TRows.Count > 2)
        {
            TIsa.Store(c20, c + (2 * ldc));
            if (two)
            {
                TIsa.Store(c21, c + (2 * ldc) + w);
            }
        }

        if (TRows.Count > 3)
        {
            TIsa.Store(c30, c + (3 * ldc));
            if (two)
            {
                TIsa.Store(c31, c + (3 * ldc) + w);
            }
        }

        if (TRows.Count > 4)
        {
            TIsa.Store(c40, c + (4 * ldc));
            if (two)
            {
                TIsa.Store(c41, c + (4 * ldc) + w);
            }
        }

        if (TRows.Count > 5)
        {
            TIsa.Store(c50, c + (5 * ldc));
            if (two)
            {
                TIsa.Store(c51, c + (5 * ldc) + w);
            }
        }

        if (TRows.Count > 6)
        {
            TIsa.Store(c60, c + (6 * ldc));
            if (two)
            {
                TIsa.Store(c61, c + (6 * ldc) + w);
            }
        }

        if (TRows.Count > 7)
        {
            TIsa.Store(c70, c + (7 * ldc));
            if (two)
            {
                TIsa.Store(c71, c + (7 * ldc) + w);
            }
        }
    }
}
