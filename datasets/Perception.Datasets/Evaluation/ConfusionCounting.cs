using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Perception.Datasets.Evaluation;

/// <summary>
/// The hot loop of evaluation: one pass over a scan's raw prediction and ground-truth labels that masks each to
/// its semantic id, looks up both slots and counts the cell <c>prediction * side + truth</c>.
/// </summary>
internal static class ConfusionCounting
{
    /// <summary>
    /// Adds the scan's counts to <paramref name="cells"/> (side × side, row = prediction, column = truth).
    /// <paramref name="slotOfSemanticId"/> has 65536 entries, each below <paramref name="side"/>.
    /// </summary>
    public static void Count(ReadOnlySpan<uint> predictions, ReadOnlySpan<uint> truth, byte[] slotOfSemanticId,
        int side, Span<long> cells)
    {
        if (predictions.Length != truth.Length || slotOfSemanticId.Length != ushort.MaxValue + 1
            || cells.Length != side * side)
        {
            throw new ArgumentException("Prediction and truth lengths differ, or the tables have the wrong size.");
        }

        // Four interleaved int32 histograms: consecutive points mostly hit the same cell (road after road), and
        // incrementing one counter back to back stalls on the store; four chains keep the loads independent. Each
        // holds at most a quarter of an int-length span, so int32 cannot overflow.
        int cellCount = side * side;
        int[] rented = ArrayPool<int>.Shared.Rent(cellCount * 4);
        Span<int> histograms = rented.AsSpan(0, cellCount * 4);
        histograms.Clear();
        ref int h0 = ref MemoryMarshal.GetArrayDataReference(rented);
        ref int h1 = ref Unsafe.Add(ref h0, cellCount);
        ref int h2 = ref Unsafe.Add(ref h0, cellCount * 2);
        ref int h3 = ref Unsafe.Add(ref h0, cellCount * 3);
        ref byte slots = ref MemoryMarshal.GetArrayDataReference(slotOfSemanticId);
        ref uint p = ref MemoryMarshal.GetReference(predictions);
        ref uint t = ref MemoryMarshal.GetReference(truth);
        int n = predictions.Length;
        int i = 0;
        for (; i <= n - 4; i += 4)
        {
            Unsafe.Add(ref h0, Cell(ref slots, Unsafe.Add(ref p, i), Unsafe.Add(ref t, i), side))++;
            Unsafe.Add(ref h1, Cell(ref slots, Unsafe.Add(ref p, i + 1), Unsafe.Add(ref t, i + 1), side))++;
            Unsafe.Add(ref h2, Cell(ref slots, Unsafe.Add(ref p, i + 2), Unsafe.Add(ref t, i + 2), side))++;
            Unsafe.Add(ref h3, Cell(ref slots, Unsafe.Add(ref p, i + 3), Unsafe.Add(ref t, i + 3), side))++;
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref h0, Cell(ref slots, Unsafe.Add(ref p, i), Unsafe.Add(ref t, i), side))++;
        }

        for (int c = 0; c < cellCount; c++)
        {
            cells[c] += (long)histograms[c] + histograms[c + cellCount] + histograms[c + (2 * cellCount)]
                + histograms[c + (3 * cellCount)];
        }

        ArrayPool<int>.Shared.Return(rented);
    }

    /// <summary>Index of the first label whose semantic id maps to <paramref name="unknownSlot"/>, or -1.</summary>
    public static int FirstUnknown(ReadOnlySpan<uint> labels, byte[] slotOfSemanticId, int unknownSlot)
    {
        for (int i = 0; i < labels.Length; i++)
        {
            if (slotOfSemanticId[(ushort)labels[i]] == unknownSlot)
            {
                return i;
            }
        }

        return -1;
    }

    // The 0xFFFF mask keeps the lookup inside the 65536-entry table; slots are below side, so cells stay in range.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Cell(ref byte slots, uint prediction, uint truth, int side) =>
        (Unsafe.Add(ref slots, (int)(prediction & 0xFFFF)) * side) + Unsafe.Add(ref slots, (int)(truth & 0xFFFF));
}
