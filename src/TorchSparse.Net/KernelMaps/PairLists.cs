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

    internal PairLists(int[] offsets, int[] inputs, int[] outputs)
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
    /// -1). The builders of symmetric maps in key order and of strided maps write their lists directly
    /// (<see cref="MirrorPairJoin"/>, <see cref="GroupWalk"/>); this groups the other tables.
    /// </summary>
    public static PairLists From(KernelMap map)
    {
        int volume = map.Volume;
        int outputCount = map.OutputCount;
        int[] table = map.RawOutInMap;
        int chunks = ParallelWork.ChunkCount(outputCount, RowsPerChunk);
        var counts = new int[chunks * volume];
        ParallelWork.ForEachChunk(outputCount, chunks, (chunk, start, end) =>
            Count(table, volume, start, end, counts.AsSpan(chunk * volume, volume)));

        var (offsets, positions) = Place(counts, chunks, volume);
        int[] inputs = TensorPool.RentArray<int>(offsets[volume]);
        int[] outputs = TensorPool.RentArray<int>(offsets[volume]);
        ParallelWork.ForEachChunk(outputCount, chunks, (chunk, start, end) =>
            Fill(table, volume, start, end, positions.AsSpan(chunk * volume, volume), inputs, outputs));
        return new PairLists(offsets, inputs, outputs);
    }

    /// <summary>
    /// Where lists filled in chunks go, from the pairs each (chunk, offset) holds (<paramref name="counts"/>, chunk
    /// major): list k starts after every smaller offset's pairs, and within it chunk c's pairs follow chunks 0..c-1.
    /// Positions is where each (chunk, offset) starts writing.
    /// </summary>
    public static (int[] Offsets, int[] Positions) Place(int[] counts, int chunks, int volume)
    {
        var offsets = new int[volume + 1];
        var positions = new int[chunks * volume];
        for (int k = 0; k < volume; k++)
        {
            long at = offsets[k];
            for (int chunk = 0; chunk < chunks; chunk++)
            {
                positions[(chunk * volume) + k] = (int)at;
                at += counts[(chunk * volume) + k];
            }

            offsets[k + 1] = at <= Array.MaxLength
                ? (int)at
                : throw new SparseEngineException($"a kernel map has {at} pairs, more than one array holds.");
        }

        return (offsets, positions);
    }

    /// <summary>The lists of the transposed map, sharing these arrays with inputs and outputs swapped, when every
    /// list's inputs rise (then the swapped lists are in output order, as they must be); otherwise null.</summary>
    public PairLists? SwappedIfSorted()
    {
        for (int k = 0; k + 1 < Offsets.Length; k++)
        {
            for (int at = Offsets[k] + 1; at < Offsets[k + 1]; at++)
            {
                if (Inputs[at] <= Inputs[at - 1])
                {
                    return null;
                }
            }
        }

        return new PairLists(Offsets, Outputs, Inputs);
    }

    /// <summary>The out-in table these lists describe (-1 where an output has no input at an offset), for the
    /// consumers that read a table; from the active <see cref="TensorPool"/> like a built table.</summary>
    public int[] ToTable(int outputCount, int volume)
    {
        int[] table = TensorPool.RentArray<int>(KernelMapBuilder.MapLength(outputCount, volume));
        int chunks = ParallelWork.ChunkCount(outputCount, RowsPerChunk);
        ParallelWork.ForEachChunk(outputCount, chunks, (chunk, start, end) =>
        {
            table.AsSpan(start * volume, (end - start) * volume).Fill(-1);
            for (int k = 0; k < volume; k++)
            {
                // Each group is in ascending output order, so the chunk's rows are one run of it.
                var group = Outputs.AsSpan(Offsets[k], Size(k));
                for (int at = SortedSearch.LowerBound(group, start); at < group.Length && group[at] < end; at++)
                {
                    table[(group[at] * volume) + k] = Inputs[Offsets[k] + at];
                }
            }
        });
        return table;
    }

    // Per offset, how many rows of [start, end) have an input there: one vector compare and add per register of
    // offsets, the rest one by one.
    private static void Count(int[] table, int volume, int start, int end, Span<int> count)
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
                    for (; k + 16 <= volume; k += 16)
                    {
                        // A present entry compares to all ones (-1), so subtracting the compare adds 1.
                        var present = Vector512.GreaterThanOrEqual(Vector512.Load(row + k), Vector512<int>.Zero);
                        (Vector512.Load(counted + k) - present).Store(counted + k);
                    }
                }

                if (Vector256.IsHardwareAccelerated)
                {
                    for (; k + 8 <= volume; k += 8)
                    {
                        var present = Vector256.GreaterThanOrEqual(Vector256.Load(row + k), Vector256<int>.Zero);
                        (Vector256.Load(counted + k) - present).Store(counted + k);
                    }
                }

                for (; k < volume; k++)
                {
                    counted[k] += (int)(~(uint)row[k] >> 31);
                }
            }
        }
    }

    // Writes the pairs of rows [start, end) at the chunk's cursors.
    private static void Fill(int[] table, int volume, int start, int end, Span<int> cursor, int[] inputs, int[] outputs)
    {
        fixed (int* entries = table)
        fixed (int* next = cursor)
        fixed (int* inputList = inputs)
        fixed (int* outputList = outputs)
        {
            for (int o = start; o < end; o++)
            {
                int* row = entries + ((long)o * volume);
                for (int k0 = 0; k0 < volume; k0 += 64)
                {
                    for (ulong present = Present(row + k0, Math.Min(64, volume - k0)); present != 0; present &= present - 1)
                    {
                        int k = k0 + BitOperations.TrailingZeroCount(present);
                        int at = next[k]++;
                        inputList[at] = row[k];
                        outputList[at] = o;
                    }
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
