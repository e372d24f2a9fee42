using System.Runtime.CompilerServices;

namespace TorchSparse.Autograd;

/// <summary>
/// The idle arrays of one element type in a <see cref="TensorPool"/>, sorted by length, each tagged with the pool
/// generation it was returned in. Not thread-safe: the pool calls it under its lock.
/// </summary>
internal sealed class IdleArrays<T>
    where T : unmanaged
{
    private readonly List<(T[] Array, long Generation)> items = [];

    public long Bytes => items.Sum(item => (long)item.Array.Length) * Unsafe.SizeOf<T>();

    public void Add(T[] array, long generation) => items.Insert(FirstFitting(array.Length), (array, generation));

    /// <summary>The shortest idle array of at least <paramref name="length"/> elements that wastes at most a quarter
    /// of itself, taken out of the list; null when none fits.</summary>
    public T[]? Take(long length)
    {
        int at = FirstFitting(length);
        if (at == items.Count || items[at].Array.Length - length > items[at].Array.Length / 4)
        {
            return null;
        }

        T[] array = items[at].Array;
        items.RemoveAt(at);
        return array;
    }

    /// <summary>Drops the arrays that were already idle at generation <paramref name="since"/>.</summary>
    public void Trim(long since) => items.RemoveAll(item => item.Generation <= since);

    public void Clear() => items.Clear();

    private int FirstFitting(long length)
    {
        int lo = 0, hi = items.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (items[mid].Array.Length < length)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
