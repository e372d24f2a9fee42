using System.Runtime.CompilerServices;

namespace TorchSparse.Coordinates;

/// <summary>
/// Stable least-significant-digit radix sort of non-negative int64 keys carrying a payload. Stable means equal keys
/// keep their input order, which the callers rely on to pick the first occurrence. Each pass counts digits per chunk
/// and scatters each chunk to offsets fixed in chunk order, so the result is the same for any thread count.
/// </summary>
internal static class KeySort
{
    private const int DigitBits = 11;
    private const int Buckets = 1 << DigitBits;
    private const int ParallelChunk = 32768;

    /// <summary>Sorts <paramref name="keys"/> ascending and applies the same permutation to
    /// <paramref name="values"/>. Every key must lie in [0, <paramref name="keyCount"/>).</summary>
    public static void SortByKey<T>(long[] keys, T[] values, long keyCount)
        where T : unmanaged
    {
        if (keys.Length != values.Length)
        {
            throw new ShapeMismatchException($"{keys.Length} keys but {values.Length} values to sort.");
        }

        Sort(keys, values, keys.Length, 0, BitLength(keyCount - 1));
    }

    /// <summary>Sorts the first <paramref name="count"/> packed items by bits [lowBit, lowBit + bitCount) only, read
    /// as an unsigned field; the bits below travel along (a payload), and items with equal fields keep their
    /// order.</summary>
    public static void SortByBits(long[] items, int count, int lowBit, int bitCount) =>
        Sort<byte>(items, null, count, lowBit, bitCount);

    /// <summary>Number of bits needed to write <paramref name="value"/> (at least 1).</summary>
    public static int BitLength(long value) =>
        64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)Math.Max(value, 1));

    // Sorts keys[0..count) (and values alike); the buffer comes from the active TensorPool scope, if any.
    private static void Sort<T>(long[] keys, T[]? values, int count, int lowBit, int bitCount)
        where T : unmanaged
    {
        if (count < 2)
        {
            return;
        }

        long[] keyBuffer = Autograd.TensorPool.RentArray<long>(count);
        T[]? valueBuffer = values is null ? null : GC.AllocateUninitializedArray<T>(count);
        long[] keysIn = keys, keysOut = keyBuffer;
        T[]? valuesIn = values, valuesOut = valueBuffer;
        int chunks = ParallelWork.ChunkCount(count, ParallelChunk);
        int[] offsets = new int[chunks * Buckets];
        for (int digitShift = lowBit; digitShift < lowBit + bitCount; digitShift += DigitBits)
        {
            if (CountDigits(keysIn, count, digitShift, chunks, offsets))
            {
                Scatter(keysIn, valuesIn, keysOut, valuesOut, count, digitShift, chunks, offsets);
                (keysIn, keysOut) = (keysOut, keysIn);
                (valuesIn, valuesOut) = (valuesOut, valuesIn);
            }
        }

        if (!ReferenceEquals(keysIn, keys))
        {
            keysIn.AsSpan(0, count).CopyTo(keys);
            valuesIn.AsSpan(0, valuesIn is null ? 0 : count).CopyTo(values);
        }

        Autograd.TensorPool.RecycleArray(keyBuffer);
    }

    // Fills offsets[chunk * Buckets + digit] with where that chunk's first key of that digit goes. Returns false when
    // every key has the same digit, so the pass would not move anything.
    private static bool CountDigits(long[] keys, int count, int digitShift, int chunks, int[] offsets)
    {
        Array.Clear(offsets);
        ParallelWork.ForEachChunk(count, chunks, (chunk, start, end) =>
            CountChunk(keys, start, end, digitShift, offsets.AsSpan(chunk * Buckets, Buckets)));

        int firstDigit = (int)(keys[0] >>> digitShift) & (Buckets - 1);
        int sameDigit = 0;
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            sameDigit += offsets[(chunk * Buckets) + firstDigit];
        }

        if (sameDigit == count)
        {
            return false;
        }

        // Digit-major, chunk-minor prefix sum: all of digit d precede digit d + 1, and within a digit the chunks
        // keep their input order, which is what makes each pass stable.
        int running = 0;
        for (int digit = 0; digit < Buckets; digit++)
        {
            for (int chunk = 0; chunk < chunks; chunk++)
            {
                int slot = (chunk * Buckets) + digit;
                int size = offsets[slot];
                offsets[slot] = running;
                running += size;
            }
        }

        return true;
    }

    // Hot loops are compiled fully optimised at once: they run a few times per call, each time for long, which
    // tiered compilation would otherwise spend in on-stack-replacement code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CountChunk(long[] keys, int start, int end, int digitShift, Span<int> histogram)
    {
        for (int i = start; i < end; i++)
        {
            histogram[(int)(keys[i] >>> digitShift) & (Buckets - 1)]++;
        }
    }

    private static void Scatter<T>(
        long[] keysIn, T[]? valuesIn, long[] keysOut, T[]? valuesOut, int count, int digitShift, int chunks,
        int[] offsets)
        where T : unmanaged =>
        ParallelWork.ForEachChunk(count, chunks, (chunk, start, end) =>
            ScatterChunk(
                keysIn, valuesIn, keysOut, valuesOut, start, end, digitShift,
                offsets.AsSpan(chunk * Buckets, Buckets)));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScatterChunk<T>(
        long[] keysIn, T[]? valuesIn, long[] keysOut, T[]? valuesOut, int start, int end, int digitShift,
        Span<int> next)
        where T : unmanaged
    {
        for (int i = start; i < end; i++)
        {
            long key = keysIn[i];
            int at = next[(int)(key >>> digitShift) & (Buckets - 1)]++;
            keysOut[at] = key;
            if (valuesIn is not null)
            {
                valuesOut![at] = valuesIn[i];
            }
        }
    }
}
