using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace TorchSparse.Coordinates;

/// <summary>
/// Maps (b, x, y, z) coordinates to row indices: open addressing with linear probing over the coordinate's exact
/// int64 key (<see cref="CoordinateKeyer"/>), so two distinct voxels can never alias. When a coordinate is inserted
/// more than once the smallest row wins, which keeps the table deterministic under a parallel build.
/// Find and FindMany are safe from many threads; Insert is single-threaded.
/// </summary>
internal sealed class CoordinateHashTable
{
    private const long EmptyKey = -1;
    private const int MinCapacity = 16;
    private const int ParallelChunk = 16384;

    // Twice this is the largest power-of-two capacity an array can have.
    private const int MaxCount = 1 << 29;

    private Entry[] entries;
    private int shift;

    // A field, not an auto-property: methods of the readonly struct are then called in place, without copying it.
    private CoordinateKeyer keyer;

    private CoordinateHashTable(CoordinateKeyer keyer, int capacity)
    {
        this.keyer = keyer;
        entries = NewEntries(capacity);
        shift = 64 - int.Log2(capacity);
    }

    /// <summary>Number of distinct coordinates stored.</summary>
    public int Count { get; private set; }

    /// <summary>Slots in the table: a power of two, at least twice <see cref="Count"/>.</summary>
    public int Capacity => entries.Length;

    /// <summary>Per-axis minimum of the key space; queries below it return -1 without probing.</summary>
    public Coordinate Min => keyer.Min;

    /// <summary>Per-axis maximum of the key space; queries above it return -1 without probing.</summary>
    public Coordinate Max => keyer.Max;

    internal CoordinateKeyer Keyer => keyer;

    /// <summary>An empty table whose key space spans [min, max]; Insert widens it when needed.</summary>
    public static CoordinateHashTable Create(Coordinate min, Coordinate max, int expectedCount = 0) =>
        new(new CoordinateKeyer(min, max), CapacityFor(expectedCount));

    /// <summary>Inserts row r for each coordinate row r of <paramref name="coords"/> (flat [N*4]), in parallel for
    /// large N. Duplicated coordinates keep their first (smallest) row.</summary>
    public static unsafe CoordinateHashTable Build(ReadOnlySpan<int> coords)
    {
        var table = new CoordinateHashTable(CoordinateKeyer.FromRows(coords), CapacityFor(coords.Length / 4));
        int rows = coords.Length / 4;
        int chunks = ParallelWork.ChunkCount(rows, ParallelChunk);
        fixed (int* pinned = coords)
        {
            int* source = pinned;
            if (chunks == 1)
            {
                table.Count = table.InsertRows(source, 0, rows, concurrent: false);
                return table;
            }

            int added = 0;
            ParallelWork.ForEachChunk(rows, chunks, (_, start, end) =>
                Interlocked.Add(ref added, table.InsertRows(source, start, end, concurrent: true)));
            table.Count = added;
        }

        return table;
    }

    /// <summary>Adds (or lowers) the row of a coordinate; returns true when the coordinate was new. Widens the key
    /// space for a coordinate outside it and doubles the capacity beyond a load factor of 1/2.</summary>
    public bool Insert(int b, int x, int y, int z, int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        if (!keyer.Contains(b, x, y, z))
        {
            Coordinate min = keyer.Min, max = keyer.Max;
            var widened = new CoordinateKeyer(
                new Coordinate(Math.Min(min.Batch, b), Math.Min(min.X, x), Math.Min(min.Y, y), Math.Min(min.Z, z)),
                new Coordinate(Math.Max(max.Batch, b), Math.Max(max.X, x), Math.Max(max.Y, y), Math.Max(max.Z, z)));
            Rehash(widened, Capacity);
        }

        if ((Count + 1L) * 2 > Capacity)
        {
            Rehash(keyer, checked(Capacity * 2));
        }

        long key = keyer.Encode(b, x, y, z);
        bool added = InsertKey(key, SlotOf(key), row);
        Count += added ? 1 : 0;
        return added;
    }

    /// <summary>The row stored for a coordinate, or -1.</summary>
    public int Find(int b, int x, int y, int z) => keyer.Contains(b, x, y, z) ? FindKey(keyer.Encode(b, x, y, z)) : -1;

    /// <summary>rows[r] = Find(coords row r); in parallel for large inputs.</summary>
    public void FindMany(ReadOnlySpan<int> coords, Span<int> rows) => FindMany(coords, default, rows);

    /// <summary>rows[r] = Find(coords row r + displacement), batch unchanged; in parallel for large inputs.</summary>
    public unsafe void FindMany(ReadOnlySpan<int> coords, Int3 displacement, Span<int> rows)
    {
        if (coords.Length % 4 != 0 || rows.Length != coords.Length / 4)
        {
            throw new ShapeMismatchException(
                $"FindMany needs coords [N*4] and rows [N]; got {coords.Length} coordinate ints "
                + $"and {rows.Length} rows.");
        }

        fixed (int* pinnedCoords = coords)
        fixed (int* pinnedRows = rows)
        {
            int* source = pinnedCoords;
            int* destination = pinnedRows;
            ParallelWork.For(
                rows.Length, ParallelChunk, (start, end) => FindRange(source, displacement, destination, start, end));
        }
    }

    /// <summary>The row stored under an exact key of <see cref="Keyer"/>, or -1.</summary>
    internal int FindKey(long key) => FindKeyFrom(key, SlotOf(key));

    // Lookups in batches: every key of a batch is computed and its home slot prefetched before any is probed, so
    // the cache misses of a batch overlap instead of following one another.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void FindRange(int* coords, Int3 displacement, int* rows, int start, int end)
    {
        const int Batch = 32;
        long* keys = stackalloc long[Batch];
        int* slots = stackalloc int[Batch];
        for (int first = start; first < end; first += Batch)
        {
            int count = Math.Min(Batch, end - first);
            for (int i = 0; i < count; i++)
            {
                int* c = coords + ((first + i) * 4L);
                long x = (long)c[1] + displacement.X, y = (long)c[2] + displacement.Y, z = (long)c[3] + displacement.Z;
                keys[i] = keyer.Contains(c[0], x, y, z) ? keyer.Encode(c[0], (int)x, (int)y, (int)z) : -1;
                if (keys[i] >= 0)
                {
                    slots[i] = SlotOf(keys[i]);
                    Prefetch(slots[i]);
                }
            }

            for (int i = 0; i < count; i++)
            {
                rows[first + i] = keys[i] >= 0 ? FindKeyFrom(keys[i], slots[i]) : -1;
            }
        }
    }

    /// <summary><see cref="FindKey"/> with the home slot already computed (see <see cref="Prefetch"/>).</summary>
    internal int FindKeyFrom(long key, int slot)
    {
        Entry[] table = entries;
        int mask = table.Length - 1;
        while (true)
        {
            ref Entry entry = ref table[slot];
            if (entry.Key == key)
            {
                return entry.Row;
            }

            if (entry.Key == EmptyKey)
            {
                return -1;
            }

            slot = (slot + 1) & mask;
        }
    }

    /// <summary>Starts loading a home slot's cache line. Batched lookups issue these for many keys before probing
    /// any, so the cache misses overlap instead of following one another.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe void Prefetch(int slot)
    {
        if (Sse.IsSupported)
        {
            // The entries live on the pinned heap, so the address stays valid.
            Sse.Prefetch0(Unsafe.AsPointer(ref entries[slot]));
        }
    }

    /// <summary>The home slot of a key: the top bits of a 64-bit mix (MurmurHash3's finaliser), so keys that differ
    /// by a constant stride (neighbouring voxels) spread over the whole table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int SlotOf(long key)
    {
        ulong h = (ulong)key;
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return (int)(h >> shift);
    }

    private static int CapacityFor(int count)
    {
        if (count > MaxCount)
        {
            throw new SparseEngineException(
                $"a coordinate hash table holds at most {MaxCount} coordinates; {count} were requested.");
        }

        return (int)Math.Max(MinCapacity, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)count * 2u));
    }

    private static Entry[] NewEntries(int capacity)
    {
        Entry[] fresh = GC.AllocateUninitializedArray<Entry>(capacity, pinned: true);
        fresh.AsSpan().Fill(new Entry { Key = EmptyKey, Row = int.MaxValue });
        return fresh;
    }

    // Inserts coordinate rows [start, end) as rows of the same index, in batches whose home slots are prefetched
    // before any is probed (as in FindRange). Returns how many coordinates were new.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe int InsertRows(int* coords, int start, int end, bool concurrent)
    {
        const int Batch = 32;
        long* keys = stackalloc long[Batch];
        int* slots = stackalloc int[Batch];
        int added = 0;
        for (int first = start; first < end; first += Batch)
        {
            int count = Math.Min(Batch, end - first);
            for (int i = 0; i < count; i++)
            {
                int* c = coords + ((first + i) * 4L);
                keys[i] = keyer.Encode(c[0], c[1], c[2], c[3]);
                slots[i] = SlotOf(keys[i]);
                Prefetch(slots[i]);
            }

            for (int i = 0; i < count; i++)
            {
                bool isNew = concurrent
                    ? InsertKeyConcurrent(keys[i], slots[i], first + i)
                    : InsertKey(keys[i], slots[i], first + i);
                added += isNew ? 1 : 0;
            }
        }

        return added;
    }

    private bool InsertKey(long key, int slot, int row)
    {
        int mask = entries.Length - 1;
        while (true)
        {
            ref Entry entry = ref entries[slot];
            if (entry.Key == key)
            {
                entry.Row = Math.Min(entry.Row, row);
                return false;
            }

            if (entry.Key == EmptyKey)
            {
                entry.Key = key;
                entry.Row = row;
                return true;
            }

            slot = (slot + 1) & mask;
        }
    }

    // Claims the slot with a CAS on the key; the row is then lowered atomically, so whichever thread inserts a
    // duplicated coordinate first, the smallest row is what remains.
    private bool InsertKeyConcurrent(long key, int slot, int row)
    {
        int mask = entries.Length - 1;
        while (true)
        {
            ref Entry entry = ref entries[slot];
            long current = Volatile.Read(ref entry.Key);
            bool claimed = false;
            if (current == EmptyKey)
            {
                current = Interlocked.CompareExchange(ref entry.Key, key, EmptyKey);
                claimed = current == EmptyKey;
            }

            if (claimed || current == key)
            {
                int stored = Volatile.Read(ref entry.Row);
                while (row < stored)
                {
                    int seen = Interlocked.CompareExchange(ref entry.Row, row, stored);
                    if (seen == stored)
                    {
                        break;
                    }

                    stored = seen;
                }

                return claimed;
            }

            slot = (slot + 1) & mask;
        }
    }

    private void Rehash(CoordinateKeyer newKeyer, int newCapacity)
    {
        Entry[] old = entries;
        CoordinateKeyer oldKeyer = keyer;
        entries = NewEntries(newCapacity);
        shift = 64 - int.Log2(newCapacity);
        keyer = newKeyer;
        Span<int> row = stackalloc int[4];
        foreach (Entry entry in old)
        {
            if (entry.Key != EmptyKey)
            {
                oldKeyer.Decode(entry.Key, row);
                long key = newKeyer.Encode(row[0], row[1], row[2], row[3]);
                InsertKey(key, SlotOf(key), entry.Row);
            }
        }
    }

    // Key and row side by side: a probe reads one 16-byte entry, never two cache lines.
    [StructLayout(LayoutKind.Sequential)]
    private struct Entry
    {
        public long Key;
        public int Row;
    }
}
