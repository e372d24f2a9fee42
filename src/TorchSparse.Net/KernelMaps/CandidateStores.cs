using TorchSparse.Coordinates;

namespace TorchSparse.KernelMaps;

/// <summary>
/// Bit layout of a strided-map candidate's payload: the input row, the offset slot (flat index + 1; slot 0 is a bare
/// marker that only makes its cell an output), and above them one flag for candidates that make their cell an
/// output (the Minkowski rule creates outputs only where an input floors to the cell).
/// </summary>
internal readonly struct PayloadLayout
{
    private readonly int slotBits;
    private readonly int rowBits;

    public PayloadLayout(int rows, int volume)
    {
        slotBits = KeySort.BitLength(volume);
        rowBits = KeySort.BitLength(rows - 1L);
        Bits = slotBits + rowBits + 1;
    }

    /// <summary>Bits a payload occupies.</summary>
    public int Bits { get; }

    public long Encode(int row, int slot, bool marksOutput) =>
        ((marksOutput ? 1L : 0L) << (rowBits + slotBits)) | ((long)row << slotBits) | (long)slot;

    public int Row(long payload) => (int)((payload >> slotBits) & ((1L << rowBits) - 1));

    public int Slot(long payload) => (int)(payload & ((1L << slotBits) - 1));

    public bool MarksOutput(long payload) => (payload >> (rowBits + slotBits)) != 0;
}

/// <summary>Where candidates live while they are generated, sorted by key and walked. Implemented by structs so
/// the generic generator and walk are compiled per store, without interface calls in the loops.</summary>
internal interface ICandidateStore
{
    int Count { get; }

    void Set(long at, long key, long payload);

    long Key(int at);

    long Payload(int at);

    /// <summary>Stable sort by key; every key is below <paramref name="keyCount"/>.</summary>
    void Sort(long keyCount);
}

/// <summary>Key and payload packed into one int64, the key in the high bits: half the bytes to move per radix
/// pass. Used whenever both fit in 64 bits, which covers every realistic scene. The first
/// <paramref name="count"/> items are the candidates (a pooled array may be longer).</summary>
internal readonly struct PackedCandidates(long[] items, int count, int payloadBits, int keyBits) : ICandidateStore
{
    public int Count => count;

    public static bool Fits(int payloadBits, int keyBits) => payloadBits + keyBits <= 64;

    public void Set(long at, long key, long payload) => items[at] = (key << payloadBits) | payload;

    public long Key(int at) => items[at] >>> payloadBits;

    public long Payload(int at) => items[at] & ((1L << payloadBits) - 1);

    public void Sort(long keyCount) => KeySort.SortByBits(items, count, payloadBits, keyBits);
}

/// <summary>Keys and payloads in two arrays, for key spaces too large to pack beside the payload.</summary>
internal readonly struct SplitCandidates(long[] keys, long[] payloads) : ICandidateStore
{
    public int Count => keys.Length;

    public void Set(long at, long key, long payload)
    {
        keys[at] = key;
        payloads[at] = payload;
    }

    public long Key(int at) => keys[at];

    public long Payload(int at) => payloads[at];

    public void Sort(long keyCount) => KeySort.SortByKey(keys, payloads, keyCount);
}
