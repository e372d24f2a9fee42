using TorchSparse.Coordinates;

namespace TorchSparse.KernelMaps;

/// <summary>
/// Coordinates per tensor stride and kernel maps per <see cref="KernelMapKey"/>, shared by the tensors of one
/// forward pass. It is an ordinary object carried by <see cref="SparseTensor"/>: no global state, and clearing it is
/// the caller's choice. Thread-safe.
/// </summary>
public sealed class KernelMapCache
{
    private readonly Dictionary<Int3, Tensor> coordsByStride = [];
    private readonly Dictionary<KernelMapKey, KernelMap> maps = [];
    private readonly Dictionary<Int3, CoordinateHashTable> tablesByStride = [];
    private readonly Lock gate = new();

    public int KernelMapCount
    {
        get
        {
            lock (gate)
            {
                return maps.Count;
            }
        }
    }

    public bool TryGetCoords(Int3 stride, out Tensor coords)
    {
        lock (gate)
        {
            return coordsByStride.TryGetValue(stride, out coords!);
        }
    }

    public bool TryGetKernelMap(KernelMapKey key, out KernelMap map)
    {
        lock (gate)
        {
            return maps.TryGetValue(key, out map!);
        }
    }

    /// <summary>Drops every map, every coordinate set and every coordinate hash table.</summary>
    public void Clear()
    {
        lock (gate)
        {
            maps.Clear();
            coordsByStride.Clear();
            tablesByStride.Clear();
        }
    }

    internal void RegisterCoords(Int3 stride, Tensor coords)
    {
        lock (gate)
        {
            if (coordsByStride.TryGetValue(stride, out Tensor? existing) && !ReferenceEquals(existing, coords))
            {
                throw new SparseEngineException(
                    $"the kernel-map cache already holds other coordinates at tensor stride {stride}; "
                    + "give tensors with different coordinates their own cache.");
            }

            coordsByStride[stride] = coords;
        }
    }

    internal KernelMap GetOrAdd(KernelMapKey key, Func<KernelMap> build) => GetOrBuild(maps, key, build);

    /// <summary>The coordinate hash table of the tensor at <paramref name="stride"/>, built once and shared by every
    /// map built at that stride.</summary>
    internal CoordinateHashTable GetOrAddTable(Int3 stride, Func<CoordinateHashTable> build) =>
        GetOrBuild(tablesByStride, stride, build);

    private TValue GetOrBuild<TKey, TValue>(Dictionary<TKey, TValue> store, TKey key, Func<TValue> build)
        where TKey : notnull
    {
        lock (gate)
        {
            if (store.TryGetValue(key, out TValue? value))
            {
                return value;
            }
        }

        // Built outside the lock: maps and large tables are built in parallel and take milliseconds.
        TValue built = build();
        lock (gate)
        {
            return store.TryAdd(key, built) ? built : store[key];
        }
    }
}
