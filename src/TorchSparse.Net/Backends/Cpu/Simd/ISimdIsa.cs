namespace TorchSparse.Backends.Cpu;

/// <summary>
/// One vector width of the CPU (a 512-, 256- or 128-bit register, or a plain float), as a static-abstract struct so
/// that a loop written once against this interface is compiled by the JIT into one specialised copy per width, with no
/// virtual calls. <typeparamref name="TVec"/> is the register type (<c>Vector512&lt;float&gt;</c> ... <c>float</c>).
/// </summary>
internal unsafe interface ISimdIsa<TVec>
    where TVec : struct
{
    /// <summary>Floats per register.</summary>
    static abstract int Count { get; }

    static abstract TVec Zero { get; }

    /// <summary>Unaligned load of <see cref="Count"/> floats.</summary>
    static abstract TVec Load(float* source);

    /// <summary>Unaligned store of <see cref="Count"/> floats.</summary>
    static abstract void Store(TVec value, float* destination);

    /// <summary>Every lane set to <c>*source</c> (a broadcast load, one instruction).</summary>
    static abstract TVec Broadcast(float* source);

    /// <summary>Every lane set to <paramref name="value"/>.</summary>
    static abstract TVec Broadcast(float value);

    /// <summary>
    /// <c>a * b + c</c>, fused (one rounding) wherever the hardware has FMA, otherwise multiply then add. Which one a
    /// process uses is fixed for its lifetime, so results never change between calls.
    /// </summary>
    static abstract TVec MultiplyAdd(TVec a, TVec b, TVec c);

    static abstract TVec Add(TVec a, TVec b);

    /// <summary>Calls the overload of <paramref name="op"/> for this width.</summary>
    static abstract TVec Invoke<TOp>(TOp op, TVec x)
        where TOp : struct, IUnaryOperator;

    static abstract TVec Invoke<TOp>(TOp op, TVec x, TVec y)
        where TOp : struct, IBinaryOperator;

    static abstract TVec Invoke<TOp>(TOp op, TVec x, TVec y, TVec z)
        where TOp : struct, ITernaryOperator;
}
