namespace TorchSparse.Backends.Cpu;

/// <summary>Rows of C the micro-kernel keeps in registers (MR). A compile-time constant per specialisation.</summary>
internal interface IKernelRows
{
    static abstract int Count { get; }
}

/// <summary>Registers per B panel row the micro-kernel reads: 2 for full panels, 1 for a narrow tail panel.</summary>
internal interface IPanelVectors
{
    static abstract int Vectors { get; }
}

/// <summary>
/// 8 rows x 2 registers = 16 accumulators + 2 B + 1 A of the 32 AVX-512 registers. It already runs at the FMA
/// limit with data in L1; more rows would need more row pointers than the 15 general-purpose registers hold.
/// </summary>
internal readonly struct KernelRows8 : IKernelRows
{
    public static int Count => 8;
}

/// <summary>6 rows x 2 registers = 12 accumulators + 2 B + 1 A: what fits 16 vector registers (AVX2, SSE).</summary>
internal readonly struct KernelRows6 : IKernelRows
{
    public static int Count => 6;
}

internal readonly struct TwoVectors : IPanelVectors
{
    public static int Vectors => 2;
}

internal readonly struct OneVector : IPanelVectors
{
    public static int Vectors => 1;
}

/// <summary>Where logical row i of A and of C live: the dense case and the gathered (indirect) case.</summary>
internal unsafe interface IRowMap
{
    float* ARow(int row);

    float* CRow(int row);
}

internal readonly unsafe struct DenseRows(float* a, nint lda, float* c, nint ldc) : IRowMap
{
    public float* ARow(int row) => a + (row * lda);

    public float* CRow(int row) => c + (row * ldc);
}

internal readonly unsafe struct IndirectRows(float* a, nint lda, int* aRows, float* c, nint ldc, int* cRows) : IRowMap
{
    public float* ARow(int row) => a + (aRows[row] * lda);

    public float* CRow(int row) => c + (cRows[row] * ldc);
}
