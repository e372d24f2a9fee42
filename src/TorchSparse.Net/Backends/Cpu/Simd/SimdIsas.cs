using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace TorchSparse.Backends.Cpu;

/// <summary>The four vector widths, widest first, and which one a loop of a given length should use.</summary>
internal static class SimdWidth
{
    /// <summary>
    /// Floats per register of the widest accelerated width (16, 8, 4, or 1 when no SIMD is usable). The runtime
    /// reports each width as accelerated only when enabled, so <c>DOTNET_EnableAVX512F=0</c> selects 256 bits and
    /// <c>DOTNET_EnableAVX2=0</c> 128 bits.
    /// </summary>
    public static int Widest =>
        Vector512.IsHardwareAccelerated ? 16
        : Vector256.IsHardwareAccelerated ? 8
        : Vector128.IsHardwareAccelerated ? 4
        : 1;

    /// <summary>
    /// Whether <c>a * b + c</c> is one fused instruction (x86 FMA3, or every Arm64 core); the ISA structs test the
    /// same condition inline.
    /// </summary>
    public static bool HasFusedMultiplyAdd => Fma.IsSupported || AdvSimd.IsSupported;
}

internal readonly unsafe struct Simd512 : ISimdIsa<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    public static Vector512<float> Zero => Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(float* source) => Vector512.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, float* destination) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float* source) => Vector512.Create(*source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    // AVX-512F always includes FMA.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
        Vector512.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke<TOp>(TOp op, Vector512<float> x)
        where TOp : struct, IUnaryOperator => op.Invoke(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke<TOp>(TOp op, Vector512<float> x, Vector512<float> y)
        where TOp : struct, IBinaryOperator => op.Invoke(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke<TOp>(TOp op, Vector512<float> x, Vector512<float> y, Vector512<float> z)
        where TOp : struct, ITernaryOperator => op.Invoke(x, y, z);
}

internal readonly unsafe struct Simd256 : ISimdIsa<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    public static Vector256<float> Zero => Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(float* source) => Vector256.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, float* destination) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float* source) => Vector256.Create(*source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    // The ISA checks are written here, not through SimdWidth.HasFusedMultiplyAdd: behind that call the JIT did not
    // fold the branch early, and the kernel got a register copy after every FMA (a stack spill without FMA).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
    {
        if (Fma.IsSupported || AdvSimd.IsSupported)
        {
            return Vector256.FusedMultiplyAdd(a, b, c);
        }

        return (a * b) + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke<TOp>(TOp op, Vector256<float> x)
        where TOp : struct, IUnaryOperator => op.Invoke(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke<TOp>(TOp op, Vector256<float> x, Vector256<float> y)
        where TOp : struct, IBinaryOperator => op.Invoke(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke<TOp>(TOp op, Vector256<float> x, Vector256<float> y, Vector256<float> z)
        where TOp : struct, ITernaryOperator => op.Invoke(x, y, z);
}

internal readonly unsafe struct Simd128 : ISimdIsa<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;

    public static Vector128<float> Zero => Vector128<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(float* source) => Vector128.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<float> value, float* destination) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Broadcast(float* source) => Vector128.Create(*source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Broadcast(float value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c)
    {
        if (Fma.IsSupported || AdvSimd.IsSupported)
        {
            return Vector128.FusedMultiplyAdd(a, b, c);
        }

        return (a * b) + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke<TOp>(TOp op, Vector128<float> x)
        where TOp : struct, IUnaryOperator => op.Invoke(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke<TOp>(TOp op, Vector128<float> x, Vector128<float> y)
        where TOp : struct, IBinaryOperator => op.Invoke(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Invoke<TOp>(TOp op, Vector128<float> x, Vector128<float> y, Vector128<float> z)
        where TOp : struct, ITernaryOperator => op.Invoke(x, y, z);
}

/// <summary>One float per "register": the fallback when no vector width is accelerated.</summary>
internal readonly unsafe struct SimdScalar : ISimdIsa<float>
{
    public static int Count => 1;

    public static float Zero => 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(float* source) => *source;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float value, float* destination) => *destination = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Broadcast(float* source) => *source;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Broadcast(float value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyAdd(float a, float b, float c)
    {
        if (Fma.IsSupported || AdvSimd.IsSupported)
        {
            return MathF.FusedMultiplyAdd(a, b, c);
        }

        return (a * b) + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Add(float a, float b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke<TOp>(TOp op, float x)
        where TOp : struct, IUnaryOperator => op.Invoke(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke<TOp>(TOp op, float x, float y)
        where TOp : struct, IBinaryOperator => op.Invoke(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke<TOp>(TOp op, float x, float y, float z)
        where TOp : struct, ITernaryOperator => op.Invoke(x, y, z);
}
