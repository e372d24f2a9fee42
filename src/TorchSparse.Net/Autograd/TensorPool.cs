using TorchSparse.Backends;
using TorchSparse.Backends.Cpu;

namespace TorchSparse.Autograd;

/// <summary>
/// Host buffers recycled from one training step or inference pass to the next: float32 tensors, and the tables of
/// the kernel maps a pass builds. A <see cref="GradientTape"/> created with a pool takes the float tensors allocated
/// while it records from here and, when disposed, gives back the intermediate ones it recorded (see
/// <see cref="GradientTape(TensorPool?)"/>). For inference, <see cref="Activate"/> routes the allocations of one pass
/// here and the model gives each intermediate back with <see cref="Recycle(Tensor)"/> as soon as it is dead, so the
/// next layer reuses it; the pass's kernel maps come back through <see cref="RecycleKernelMaps"/> when it ends. A
/// steady loop then stops allocating, and the kernel stops faulting in and zeroing, hundreds of MB of fresh memory
/// per pass. Buffers left unused through a whole tape or pass go back to the GC, so the pool holds about one pass's
/// intermediates. Thread-safe.
/// </summary>
public sealed class TensorPool
{
    [ThreadStatic]
    private static Scope? active;

    /// <summary>Fresh buffers are rounded up to one of this many sizes per octave, so that the same tensor of a
    /// slightly larger batch (the next scan) still fits the buffer; the waste is at most 1/8.</summary>
    private const int SizesPerOctave = 8;

    /// <summary>Shorter buffers keep their exact length: rounding them saves nothing worth the waste.</summary>
    private const int RoundingFrom = 4096;

    private readonly IdleArrays<float> idle = new();
    private readonly IdleArrays<int> idleInts = new();
    private readonly IdleArrays<long> idleLongs = new();
    private readonly Lock gate = new();
    private long generation;

    /// <summary>Bytes held idle, waiting for the next tape.</summary>
    public long IdleBytes
    {
        get
        {
            lock (gate)
            {
                return idle.Bytes + idleInts.Bytes + idleLongs.Bytes;
            }
        }
    }

    /// <summary>Releases every idle buffer to the GC.</summary>
    public void Clear()
    {
        lock (gate)
        {
            idle.Clear();
            idleInts.Clear();
            idleLongs.Clear();
        }
    }

    /// <summary>
    /// Until the result is disposed, float32 host tensors allocated on this thread (outside a recording tape that has
    /// a pool of its own) come from this pool, and <see cref="Recycle(Tensor)"/> can give them back; so do the tables
    /// of the kernel maps built on this thread. Scopes nest; disposing one drops the buffers that stayed idle through
    /// it.
    /// </summary>
    public IDisposable Activate() => new Scope(this);

    /// <summary>
    /// Gives a dead intermediate's memory back to the active pool for the next allocation. Does nothing unless the
    /// innermost active scope (<see cref="Activate"/>) allocated the tensor's storage. The tensor, and every view of
    /// it, throws <see cref="ObjectDisposedException"/> when read afterwards, so a mistake cannot corrupt data.
    /// </summary>
    public static void Recycle(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        active?.Recycle(tensor.Storage);
    }

    /// <summary>
    /// Gives back the kernel maps of a finished pass: every map built while the innermost active scope (see
    /// <see cref="Activate"/>) was active returns its table, pair lists and transposed map to the pool, so the next
    /// pass builds its maps in memory that is already faulted in. A recycled map throws
    /// <see cref="ObjectDisposedException"/> when used afterwards, through any cache that still holds it.
    /// </summary>
    public static void RecycleKernelMaps() => active?.RecycleMaps();

    /// <summary>Notes a map built on this thread, for <see cref="RecycleKernelMaps"/>.</summary>
    internal static void Track(KernelMaps.KernelMap map) => active?.Track(map);

    /// <summary>
    /// An array of at least <paramref name="length"/> elements with undefined contents: from the active scope's pool
    /// (a rounded length, so the same structure of the next, slightly larger scan still fits), or a fresh one of
    /// exactly <paramref name="length"/> when no scope is active. Callers keep their logical length.
    /// </summary>
    internal static T[] RentArray<T>(int length)
        where T : unmanaged =>
        active?.RentArray<T>(length) ?? GC.AllocateUninitializedArray<T>(length);

    /// <summary>Gives a dead array back to the active pool if the innermost active scope rented it.</summary>
    internal static void RecycleArray(Array array)
    {
        ArgumentNullException.ThrowIfNull(array);
        active?.RecycleArray(array);
    }

    /// <summary>Storage from the active scope's pool, or null to allocate as usual.</summary>
    internal static TensorStorage? RentActive(DType dtype, Device device, long length, bool zeroed)
    {
        Scope? scope = active;
        if (scope is null || dtype != DType.Float32 || device.Kind != DeviceKind.Cpu || length > Array.MaxLength)
        {
            return null;
        }

        return scope.Rent(length, zeroed);
    }

    /// <summary>The count of returns so far: a tape notes it when it starts (see <see cref="Return"/>).</summary>
    internal long Generation
    {
        get
        {
            lock (gate)
            {
                return generation;
            }
        }
    }

    /// <summary>
    /// Storage for <paramref name="length"/> floats: the shortest idle buffer that fits without wasting more than a
    /// quarter of itself, or a fresh one. Contents are undefined unless <paramref name="zeroed"/>.
    /// </summary>
    internal CpuStorage<float> Rent(long length, bool zeroed)
    {
        float[]? idleArray;
        lock (gate)
        {
            idleArray = idle.Take(length);
        }

        // A fresh buffer is allocated outside the lock: other threads need not wait on it.
        float[] array = idleArray ?? GC.AllocateUninitializedArray<float>(Rounded(length), pinned: true);
        CpuStorage<float> storage = CpuStorage<float>.Over(array, length);
        if (zeroed)
        {
            storage.Span.Clear();
        }

        return storage;
    }

    /// <summary>
    /// Takes back the arrays of <paramref name="storages"/> (each released first, so that reading it through any
    /// tensor throws), and drops to the GC the buffers that were already idle at <paramref name="since"/> (the
    /// <see cref="Generation"/> when the returning tape started) and stayed idle through that whole tape.
    /// </summary>
    internal void Return(IEnumerable<CpuStorage<float>> storages, long since)
    {
        lock (gate)
        {
            TrimIdle(since);
            generation++;
            foreach (CpuStorage<float> storage in storages)
            {
                AddIdle(storage);
            }
        }
    }

    /// <summary>Takes back one storage's array now (released first), tagged as just returned.</summary>
    private void Take(CpuStorage<float> storage)
    {
        lock (gate)
        {
            generation++;
            AddIdle(storage);
        }
    }

    /// <summary>Releases a storage and files its array as idle under the current generation; called under the gate.
    /// </summary>
    private void AddIdle(CpuStorage<float> storage) => idle.Add(storage.Release(), generation);

    /// <summary>The shortest idle int or long array that fits <paramref name="length"/> (see
    /// <see cref="IdleArrays{T}.Take"/>), or a fresh one of a rounded length.</summary>
    private T[] TakeArray<T>(int length)
        where T : unmanaged
    {
        T[]? idleArray;
        lock (gate)
        {
            idleArray = IdleOf<T>().Take(length);
        }

        return idleArray ?? GC.AllocateUninitializedArray<T>(Rounded(length));
    }

    private void AddArray(Array array)
    {
        lock (gate)
        {
            generation++;
            switch (array)
            {
                case int[] ints:
                    idleInts.Add(ints, generation);
                    break;
                case long[] longs:
                    idleLongs.Add(longs, generation);
                    break;
                default:
                    throw new ArgumentException($"the pool holds int and long arrays, not {array.GetType()}.", nameof(array));
            }
        }
    }

    private IdleArrays<T> IdleOf<T>()
        where T : unmanaged =>
        (idleInts as IdleArrays<T>) ?? (idleLongs as IdleArrays<T>)
        ?? throw new NotSupportedException($"the pool holds int and long arrays, not {typeof(T)}[].");

    /// <summary>Drops to the GC the buffers that were idle at <paramref name="since"/> and were not taken since.</summary>
    private void Trim(long since)
    {
        lock (gate)
        {
            TrimIdle(since);
        }
    }

    private void TrimIdle(long since)
    {
        idle.Trim(since);
        idleInts.Trim(since);
        idleLongs.Trim(since);
    }

    internal static int Rounded(long length)
    {
        if (length < RoundingFrom)
        {
            return (int)length;
        }

        long step = (1L << (63 - (int)long.LeadingZeroCount(length))) / SizesPerOctave;
        return (int)Math.Min((length + step - 1) / step * step, Array.MaxLength);
    }

    /// <summary>One activation: what it rented (only those can be recycled through it) and the scope it hides.</summary>
    private sealed class Scope : IDisposable
    {
        private readonly TensorPool pool;
        private readonly Scope? outer;
        private readonly long since;
        private readonly HashSet<TensorStorage> rented = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<Array> rentedArrays = new(ReferenceEqualityComparer.Instance);
        private readonly List<KernelMaps.KernelMap> maps = [];
        private bool disposed;

        public Scope(TensorPool pool)
        {
            this.pool = pool;
            since = pool.Generation;
            outer = active;
            active = this;
        }

        public CpuStorage<float> Rent(long length, bool zeroed)
        {
            CpuStorage<float> storage = pool.Rent(length, zeroed);
            rented.Add(storage);
            return storage;
        }

        public T[] RentArray<T>(int length)
            where T : unmanaged
        {
            T[] array = pool.TakeArray<T>(length);
            rentedArrays.Add(array);
            return array;
        }

        public void Track(KernelMaps.KernelMap map) => maps.Add(map);

        public void RecycleMaps()
        {
            foreach (KernelMaps.KernelMap map in maps)
            {
                map.Recycle(RecycleArray);
            }

            maps.Clear();
        }

        public void RecycleArray(Array array)
        {
            if (rentedArrays.Remove(array))
            {
                pool.AddArray(array);
            }
        }

        public void Recycle(TensorStorage storage)
        {
            if (rented.Remove(storage))
            {
                pool.Take((CpuStorage<float>)storage);
            }
        }

        public void Dispose()
        {
            if (disposed)
            {
                return;
            }

            if (active != this)
            {
                throw new InvalidOperationException("tensor pool scopes must be disposed in reverse order of activation, on the thread that activated them.");
            }

            disposed = true;
            active = outer;
            pool.Trim(since);
        }
    }
}
