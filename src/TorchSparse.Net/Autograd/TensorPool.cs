using TorchSparse.Backends;
using TorchSparse.Backends.Cpu;

namespace TorchSparse.Autograd;

/// <summary>
/// Float32 host buffers recycled from one training step or inference pass to the next. A <see cref="GradientTape"/>
/// created with a pool takes the float tensors allocated while it records from here and, when disposed, gives back
/// the intermediate ones it recorded (see <see cref="GradientTape(TensorPool?)"/>). For inference,
/// <see cref="Activate"/> routes the allocations of one pass here and the model gives each intermediate back with
/// <see cref="Recycle"/> as soon as it is dead, so the next layer reuses it. A steady loop then stops allocating, and
/// the kernel stops faulting in and zeroing, hundreds of MB of fresh memory per pass. Buffers left unused through a
/// whole tape or pass go back to the GC, so the pool holds about one pass's intermediates. Thread-safe.
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

    private readonly List<Idle> idle = [];
    private readonly Lock gate = new();
    private long generation;

    /// <summary>Bytes held idle, waiting for the next tape.</summary>
    public long IdleBytes
    {
        get
        {
            lock (gate)
            {
                return idle.Sum(b => (long)b.Array.Length) * sizeof(float);
            }
        }
    }

    /// <summary>Releases every idle buffer to the GC.</summary>
    public void Clear()
    {
        lock (gate)
        {
            idle.Clear();
        }
    }

    /// <summary>
    /// Until the result is disposed, float32 host tensors allocated on this thread (outside a recording tape that has
    /// a pool of its own) come from this pool, and <see cref="Recycle"/> can give them back. Scopes nest; disposing
    /// one drops the buffers that stayed idle through it.
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
        float[] array = TakeIdle(length) ?? GC.AllocateUninitializedArray<float>(Rounded(length), pinned: true);
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
            idle.RemoveAll(b => b.Generation <= since);
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
    private void AddIdle(CpuStorage<float> storage)
    {
        float[] array = storage.Release();
        idle.Insert(FirstFitting(array.Length), new Idle(array, generation));
    }

    /// <summary>Drops to the GC the buffers that were idle at <paramref name="since"/> and were not taken since.</summary>
    private void Trim(long since)
    {
        lock (gate)
        {
            idle.RemoveAll(b => b.Generation <= since);
        }
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

    private float[]? TakeIdle(long length)
    {
        lock (gate)
        {
            int at = FirstFitting(length);
            if (at == idle.Count || idle[at].Array.Length - length > idle[at].Array.Length / 4)
            {
                return null;
            }

            float[] array = idle[at].Array;
            idle.RemoveAt(at);
            return array;
        }
    }

    /// <summary>Index of the first idle buffer of at least <paramref name="length"/> floats (idle is sorted).</summary>
    private int FirstFitting(long length)
    {
        int lo = 0, hi = idle.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (idle[mid].Array.Length < length)
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

    private readonly record struct Idle(float[] Array, long Generation);

    /// <summary>One activation: what it rented (only those can be recycled through it) and the scope it hides.</summary>
    private sealed class Scope : IDisposable
    {
        private readonly TensorPool pool;
        private readonly Scope? outer;
        private readonly long since;
        private readonly HashSet<TensorStorage> rented = new(ReferenceEqualityComparer.Instance);
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
