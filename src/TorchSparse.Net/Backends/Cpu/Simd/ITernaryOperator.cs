using System.Runtime.Intrinsics;

namespace TorchSparse.Backends.Cpu;

/// <summary>An element-wise <c>f(x, y, z)</c> at every width, applied only by <see cref="TernaryLoop"/>.</summary>
internal interface ITernaryOperator
{
    float Invoke(float x, float y, float z);

    Vector128<float> Invoke(Vector128<float> x, Vector128<float> y, Vector128<float> z);

    Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> z);

    Vector512<float> Invoke(Vector512<float> x, Vector512<float> y, Vector512<float> z);
}

/// <summary>
/// <c>destination[i] = op(x[i], y[i], z[i])</c>; any input may be the same memory as the destination (not shifted).
/// </summary>
internal static unsafe class TernaryLoop
{
    public static void Invoke<TOp>(float* x, float* y, float* z, float* destination, nuint length, TOp op)
        where TOp : struct, ITernaryOperator
    {
        if (Vector512.IsHardwareAccelerated && length >= (nuint)Simd512.Count)
        {
            Run<Simd512, Vector512<float>, TOp>(x, y, z, destination, length, op);
        }
        else if (Vector256.IsHardwareAccelerated && length >= (nuint)Simd256.Count)
        {
            Run<Simd256, Vector256<float>, TOp>(x, y, z, destination, length, op);
        }
        else if (Vector128.IsHardwareAccelerated && length >= (nuint)Simd128.Count)
        {
            Run<Simd128, Vector128<float>, TOp>(x, y, z, destination, length, op);
        }
        else if (length > 0)
        {
            Run<SimdScalar, float, TOp>(x, y, z, destination, length, op);
        }
    }

    internal static void Run<TIsa, TVec, TOp>(float* x, float* y, float* z, float* destination, nuint length, TOp op)
        where TIsa : struct, ISimdIsa<TVec>
        where TVec : struct
        where TOp : struct, ITernaryOperator
    {
        nuint width = (nuint)TIsa.Count;

        // Computed before any store so that an in-place call's overlapping tail sees the original inputs.
        nuint lastOffset = length - width;
        TVec last = TIsa.Invoke(op, TIsa.Load(x + lastOffset), TIsa.Load(y + lastOffset), TIsa.Load(z + lastOffset));

        nuint i = 0;
        for (; i + (2 * width) <= length; i += 2 * width)
        {
            TIsa.Store(TIsa.Invoke(op, TIsa.Load(x + i), TIsa.Load(y + i), TIsa.Load(z + i)), destination + i);
            nuint i1 = i + width;
            TIsa.Store(TIsa.Invoke(op, TIsa.Load(x + i1), TIsa.Load(y + i1), TIsa.Load(z + i1)), destination + i1);
        }

        for (; i + width <= length; i += width)
        {
            TIsa.Store(TIsa.Invoke(op, TIsa.Load(x + i), TIsa.Load(y + i), TIsa.Load(z + i)), destination + i);
        }

        TIsa.Store(last, destination + lastOffset);
    }
}
