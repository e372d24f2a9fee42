using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TorchSparse.Autograd;
using TorchSparse.Coordinates;

namespace TorchSparse.KernelMaps;

/// <summary>Kernel-map pairs in per-offset groups: group k is [Offsets[k], Offsets[k+1]). Inputs and Outputs may be
/// pooled arrays longer than the Offsets[Volume] pairs they hold.</summary>
internal sealed unsafe class PairLists
{
    private const int RowsPerChunk = 8192;

    private PairLists(int[] offsets, int[] inputs, int[] outputs)
    {
        Offsets = offsets;
        Inputs = inputs;
        Outputs = outputs;
    }

    public int[] Offsets { get; }

    public int[] Inputs { get; }

    public int[] Outputs { get; }

    public int Size(int k) => Offsets[k + 1] - Offsets[k];

    /// <summary>
    /// Groups the map's pairs by offset in two parallel passes over chunks of output rows: count per (chunk, offset),
    /// then each chunk writes its pairs at its own precomputed positions, so the lists are the same for any thread
    /// count. Both passes compare whole registers of a row's entries at once; the fill reads the present offsets as a
    /// bit mask, so it branches once per pair instead of once per table entry (most entries of a submanifold map are
    /// -1).
    /// </summary>
    public static PairLists From(KernelMap map)
    {
        int volume = map.Volume;
        int outputCount = map.OutputCount;
        int[] table = map.RawOutInMap;
        int chunks = ParallelWork.ChunkCount(outputCount, RowsPerChunk);
        var counts = new int[chunks * volume];

        // A symmetric map in key order is read by halves: each pair before the centre also gives its mirror pair, and
        // for a fixed offset the mirror pairs' outputs rise with the row, so they come out in output order too.
        bool byHalves = map.MirrorSymmetric && map.RowsInKeyOrder;
        ParallelWork.ForEachChunk(outputCount, chunks, (chunk, start, end) =>
        {
            Span<int> count = counts.AsSpan(chunk * volume, volume);
            if (byHalves)
            {
                CountHalves(table, volume, start, end, count);
            }
            else
            {
                Count(table, volume, volume, start, end, count);
            }
        });

        // Group k starts after every smaller offset's pairs; within it, chunk c's pairs follow chunks 0..c-1.
        var offsets = new int[volume + 1];
        var positions = new int[chunks * volume];
        for (int k = 0; k < volume; k++)
        {
            int at = offsets[k];
            for (int chunk = 0; chunk < chunks; chunk++)
            {
                positions[(chunk * volume) + k] = at;
                at += counts[(chunk * volume) + k];
            }

            offsets[k + 1] = at;
        }

        int total = offsets[volume];
        int[] inputs = TensorPool.RentArray<int>(total);
        int[] outputs = TensorPool.RentArray<int>(total);
        ParallelWork.ForEachChunk(outputCount, chunks, (chunk, start, end) =>
            Fill(table, volume, byHalves, start, end, positions.AsSpan(chunk * volume, volume), inputs, outputs));
        return new PairLists(offsets, inputs, outputs);
    }

    // The first half of each row counts for itself and, mirrored, for the second half; the centre is the row itself.
    private static void CountHalves(int[] table, int volume, int start, int end, Span<int> count)
    {
        int half = volume / 2;
        Count(table, volume, half, start, end, count);
        for (int k = 0; k < half; k++)
        {
            count[volume - 1 - k] = count[k];
        }

        count[half] = end - start;
    }

    // Per offset below width, how many rows of [start, end) have an input there: one vector compare and add per
    // register of offsets, the rest one by one.
    private static void Count(int[] table, int volume, int width, int start, int end, Span<int> count)
    {
        fixed (int* entries = table)
        fixed (int* counted = count)
        {
            for (int o = start; o < end; o++)
            {
                int* row = entries + ((long)o * volume);
                int k = 0;
                if (Vector512.IsHardwareAccelerated)
                {
                    for (; k + 16 <= width; k += 16)
                    {
                        // A present entry compares to all ones (-1), so subtracting the compare adds 1.
                        var present = Vector512.GreaterThanOrEqual(Vector512.Load(row + k), Vector512<int>.Zero);
                        (Vector512.Load(counted + k) - present).Store(counted + k);
                    }
                }

                if (Vector256.IsHardwareAccelerated)
                {
                    for (; k + 8 <= width; k += 8)
                    {
                        var present = Vector256.GreaterThanOrEqual(Vector256.Load(row + k), Vector256<int>.Zero);
                        (Vector256.Load(counted + k) - present).Store(counted + k);
                    }
                }

                for (; k < width; k++)
                {
                    counted[k] += (int)(~(uint)row[k] >> 31);
                }
            }
        }
    }

    // Writes the pairs of rows [start, end) at the chunk's cursors. By halves, each pair before the centre is written
    // with its mirror (input and output swapped, at offset volume - 1 - k), and the centre pairs each row with itself.
    private static void Fill(
        int[] table, int volume, bool byHalves, int start, int end, Span<int> cursor, int[] inputs, int[] outputs)
    {
        int half = volume / 2;
        int width = byHalves ? half : volume;
        fixed (int* entries = table)
        fixed (int* next = cursor)
        fixed (int* inputList = inputs)
        fixed (int* outputList = outputs)
        {
            for (int o = start; o < end; o++)
            {
                int* row = entries + ((long)o * volume);
                for (int k0 = 0; k0 < width; k0 += 64)
                {
                    for (ulong present = Present(row + k0, Math.Min(64, width - k0)); present != 0; present &= present - 1)
                    {
                        int k = k0 + BitOperations.TrailingZeroCount(present);
                        int i = row[k];
                        int at = next[k]++;
                        inputList[at] = i;
                        outputList[at] = o;
                        if (byHalves)
                        {
                            int mirrorAt = next[volume - 1 - k]++;
                            inputList[mirrorAt] = o;
                            outputList[mirrorAt] = i;
                        }
                    }
                }

                if (byHalves)
                {
                    int centreAt = next[half]++;
                    inputList[centreAt] = o;
                    outputList[centreAt] = o;
                }
            }
        }
    }

    /// <summary>Bit k set where <paramref name="row"/>[k] holds an input (is not negative), for k below
    /// <paramref name="width"/> (at most 64): the widest vector compares first, then narrower ones, then scalars,
    /// never reading past the row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Present(int* row, int width)
    {
        ulong negative = 0;
        int k = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; k + 16 <= width; k += 16)
            {
                negative |= (ulong)Vector512.Load(row + k).ExtractMostSignificantBits() << k;
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; k + 8 <= width; k += 8)
            {
                negative |= (ulong)Vector256.Load(row + k).ExtractMostSignificantBits() << k;
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; k + 4 <= width; k += 4)
            {
                negative |= (ulong)Vector128.Load(row + k).ExtractMostSignificantBits() << k;
            }
        }

        for (; k < width; k++)
        {
            negative |= (ulong)((uint)row[k] >> 31) << k;
        }

        ulong used = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
        return ~negative & used;
    }
}
