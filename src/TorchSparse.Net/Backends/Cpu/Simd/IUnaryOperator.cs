using System.Runtime.Intrinsics;

namespace TorchSparse.Backends.Cpu;

/// <summary>
/// An element-wise <c>f(x)</c> at every width. Operators are small readonly structs (their fields are parameters
/// such as a slope); <see cref="UnaryLoop"/> is the only loop that applies them.
/// </summary>
internal interface IUnaryOperator
{
    float Invoke(float x);

    Vector128<float> Invoke(Vector128<float> x);

    Vector256<float> Invoke(Vector256<float> x);

    Vector512<float> Invoke(Vector512<float> x);
}

/// <summary><c>destination[i] = op(x[i])</c>; <c>x</c> may be the same memory as the destination.</summary>
internal static unsafe class UnaryLoop
{
    /// <summary>Callers have checked that both buffers hold <paramref name="length"/> floats.</summary>
    public static void Invoke<TOp>(float* x, float* destination, nuint length, TOp op)
        where TOp : struct, IUnaryOperator
    {
        // The widest register that fits at least once, so short inputs still run vectorised with one overlapping tail.
        if (Vector512.IsHardwareAccelerated && length >= (nuint)Simd512.Count)
        {
            Run<Simd512, Vector512<float>, TOp>(x, destination, length, op);
        }
        else if (Vector256.IsHardwareAccelerated && length >= (nuint)Simd256.Count)
        {
            Run<Simd256, Vector256<float>, TOp>(x, destination, length, op);
        }
        else if (Vector128.IsHardwareAccelerated && length >= (nuint)Simd128.Count)
        {
            Run<Simd128, Vector128<float>, TOp>(x, destination, length, op);
        }
        else if (length > 0)
        {
            Run<SimdScalar, float, TOp>(x, destination, length, op);
        }
    }

    internal static void Run<TIsa, TVec, TOp>(float* x, float* destination, nuint length, TOp op)
        where TIsa : struct, ISimdIsa<TVec>
        where TVec : struct
        where TOp : struct, IUnaryOperator
    {
        nuint width = (nuint)TIsa.Count;

        // The last full register is computed before anything is stored: when the call is in place, the main loop
        // overwrites part of that range, and the overlapping store at the end must see the original inputs.
        nuint lastOffset = length - width;
        TVec last = TIsa.Invoke(op, TIsa.Load(x + lastOffset));

        nuint i = 0;
        for (; i + (4 * width) <= length; i += 4 * width)
        {
            TIsa.Store(TIsa.Invoke(op, TIsa.Load(x + i)), destination + i);
            TIsa.Store(TIsa.Invoke(op, TIsa.Load(x + i + width)), destination + i + width);
            TIsa.Store(TIsa.Invoke(op, TIsa.Load(x + i + (2 * width))), destination + i + (2 * width));
            TIsa.Store(TIsa.Invoke(op, TIsa.Load(x + i + (3 * width))), destination + i + (3 * width));
        }

        for (; i + width <= length; i += width)
        {
            TIsa.Store(TIsa.Invoke(op, TIsa.Load(x + i)), destination + i);
        }

        TIsa.Store(last, destination + lastOffset);
    }
}
