using System.Runtime.Intrinsics;

namespace TorchSparse.Backends.Cpu;

/// <summary>An element-wise <c>f(x, y)</c> at every width, applied only by <see cref="BinaryLoop"/>.</summary>
internal interface IBinaryOperator
{
    float Invoke(float x, float y);

    Vector128<float> Invoke(Vector128<float> x, Vector128<float> y);

    Vector256<float> Invoke(Vector256<float> x, Vector256<float> y);

    Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
}

/// <summary>
/// <c>destination[i] = op(x[i], y[i])</c>; either input may be the same memory as the destination (not shifted).
/// </summary>
internal static unsafe class BinaryLoop
{
    public static void Invoke<TOp>(float* x, float* y, float* destination, nuint length, TOp op)
        where TOp : struct, IBinaryOperator
    {
        if (Vector512.IsHardwareAccelerated && length >= (nuint)Simd512.Count)
        {
            Run<Simd512, Vector512<float>, TOp>(x, y, destination, length, op);
        }
        else if (Vector256.IsHardwareAccelerated && length >= (nuint)Simd256.Count)
        {
            Run<Simd256, Vector256<float>, TOp>(x, y, destination, length, op);
        }
        else if (Vector128.IsHardwareAccelerated && length >= (nuint)Simd128.Count)
        {
            Run<Simd128, Vector128<float>, TOp>(x, y, destination, length, op);
        }
        else if (length > 0)
        {
            Run<SimdScalar, float, TOp>(x, y, destination, length, op);
        }
    }

    internal static void Run<TIsa, TVec, TOp>(float* x, float* y, float* destination, nuint length, TOp op)
        where TIsa : struct, ISimdIsa<TVec>
        where TVec : struct
        where TOp : struct, IBinaryOperator
    {
        nuint width = (nuint)TIsa.Count;

        // Computed before any store so that an in-place call's overlapping tail sees the original inputs.
        nuint lastOffset = length - width;
        TVec last = TIsa.Invoke(op, TIsa.Load(x + lastOffset), TIsa.Load(y + lastOffset));

        nuint i = 0;
        for (; i + (4 * width) <= length; i += 4 * width)
        {
            TIsa.Store(TIsa.Invoke(op, TIsa.Load(x + i), TIsa.Load(y + i)), destination + i);
            nuint i1 = i + width;
            TIsa.Store(TIsa.Invoke(op, TIsa.Load(x + i1), TIsa.Load(y + i1)), destination + i1);
            nuint i2 = i + (2 * width);
            TIsa.Store(TIsa.Invoke(op, TIsa.Load(x + i2), TIsa.Load(y + i2)), destination + i2);
            nuint i3 = i + (3 * width);
            TIsa.Store(TIsa.Invoke(op, TIsa.Load(x + i3), TIsa.Load(y + i3)), destination + i3);
        }

        for (; i + width <= length; i += width)
        {
            TIsa.Store(TIsa.Invoke(op, TIsa.Load(x + i), TIsa.Load(y + i)), destination + i);
        }

        TIsa.Store(last, destination + lastOffset);
    }
}
