using System.Runtime.Intrinsics;

namespace TorchSparse.Backends.Cpu;

/// <summary>
/// The row-wise shapes over a row-major matrix with <c>length</c> floats per row: gather (copy indexed rows), scatter
/// (<c>destination row = op(destination row, source row)</c> through an index) and broadcast (one <c>y</c>, <c>z</c>
/// vector applied to every row). The vector width is chosen once per call, not once per row.
/// </summary>
internal static unsafe class RowLoops
{
    /// <summary><c>destination row r = source row sourceRows[r]</c>.</summary>
    public static void Gather(float* source, int* sourceRows, float* destination, nuint rows, nuint length)
    {
        nuint bytes = length * sizeof(float);
        for (nuint r = 0; r < rows; r++)
        {
            if (r + Prefetch.RowDistance < rows)
            {
                Prefetch.Row(source + ((nuint)sourceRows[r + Prefetch.RowDistance] * length), length);
            }

            Buffer.MemoryCopy(source + ((nuint)sourceRows[r] * length), destination + (r * length), bytes, bytes);
        }
    }

    /// <summary><c>destination row destinationRows[r] = op(that row, source row r)</c>.</summary>
    public static void Scatter<TOp>(
        float* source, float* destination, int* destinationRows, nuint rows, nuint length, TOp op)
        where TOp : struct, IBinaryOperator
    {
        if (Vector512.IsHardwareAccelerated && length >= (nuint)Simd512.Count)
        {
            Scatter<Simd512, Vector512<float>, TOp>(source, destination, destinationRows, rows, length, op);
        }
        else if (Vector256.IsHardwareAccelerated && length >= (nuint)Simd256.Count)
        {
            Scatter<Simd256, Vector256<float>, TOp>(source, destination, destinationRows, rows, length, op);
        }
        else if (Vector128.IsHardwareAccelerated && length >= (nuint)Simd128.Count)
        {
            Scatter<Simd128, Vector128<float>, TOp>(source, destination, destinationRows, rows, length, op);
        }
        else if (length > 0)
        {
            Scatter<SimdScalar, float, TOp>(source, destination, destinationRows, rows, length, op);
        }
    }

    /// <summary>Every row r of <paramref name="matrix"/> becomes <c>op(row, y, z)</c>, in place.</summary>
    public static void Broadcast<TOp>(float* matrix, float* y, float* z, nuint rows, nuint length, TOp op)
        where TOp : struct, ITernaryOperator
    {
        if (Vector512.IsHardwareAccelerated && length >= (nuint)Simd512.Count)
        {
            Broadcast<Simd512, Vector512<float>, TOp>(matrix, y, z, rows, length, op);
        }
        else if (Vector256.IsHardwareAccelerated && length >= (nuint)Simd256.Count)
        {
            Broadcast<Simd256, Vector256<float>, TOp>(matrix, y, z, rows, length, op);
        }
        else if (Vector128.IsHardwareAccelerated && length >= (nuint)Simd128.Count)
        {
            Broadcast<Simd128, Vector128<float>, TOp>(matrix, y, z, rows, length, op);
        }
        else if (length > 0)
        {
            Broadcast<SimdScalar, float, TOp>(matrix, y, z, rows, length, op);
        }
    }

    private static void Scatter<TIsa, TVec, TOp>(
        float* source, float* destination, int* destinationRows, nuint rows, nuint length, TOp op)
        where TIsa : struct, ISimdIsa<TVec>
        where TVec : struct
        where TOp : struct, IBinaryOperator
    {
        for (nuint r = 0; r < rows; r++)
        {
            if (r + Prefetch.RowDistance < rows)
            {
                Prefetch.Row(destination + ((nuint)destinationRows[r + Prefetch.RowDistance] * length), length);
            }

            float* row = destination + ((nuint)destinationRows[r] * length);
            BinaryLoop.Run<TIsa, TVec, TOp>(row, source + (r * length), row, length, op);
        }
    }

    private static void Broadcast<TIsa, TVec, TOp>(float* matrix, float* y, float* z, nuint rows, nuint length, TOp op)
        where TIsa : struct, ISimdIsa<TVec>
        where TVec : struct
        where TOp : struct, ITernaryOperator
    {
        for (nuint r = 0; r < rows; r++)
        {
            float* row = matrix + (r * length);
            TernaryLoop.Run<TIsa, TVec, TOp>(row, y, z, row, length, op);
        }
    }
}
