using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace TorchSparse.Backends.Cpu;

/// <summary>
/// Software prefetch for rows reached through an index: the hardware prefetchers follow strides, not gathers, so
/// without a hint every indexed row costs a full memory latency. A no-op where x86 prefetch is unavailable.
/// </summary>
internal static unsafe class Prefetch
{
    /// <summary>How many rows ahead gather and scatter loops request: enough to cover DRAM latency.</summary>
    public const int RowDistance = 8;

    /// <summary>Requests the <paramref name="floats"/> floats at <paramref name="row"/> into all caches.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Row(float* row, nuint floats)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        // One request per 64-byte line.
        for (nuint i = 0; i < floats; i += 16)
        {
            Sse.Prefetch0(row + i);
        }
    }
}
