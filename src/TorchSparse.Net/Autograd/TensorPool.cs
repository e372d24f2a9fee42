using TorchSparse.Backends.Cpu;

namespace TorchSparse.Autograd;

/// <summary>
/// Float32 host buffers recycled from one training step to the next. A <see cref="GradientTape"/> created with a
/// pool takes the float tensors allocated while it records from here and, when disposed, gives back the
/// intermediate ones it recorded (see <see cref="GradientTape(TensorPool?)"/>). A steady training loop then stops
/// allocating, and the kernel stops faulting in and zeroing, a few GB of fresh memory per step. Buffers left unused
/// through a whole tape go back to the GC, so the pool holds about one step's intermediates. Thread-safe.
/// </summary>
public sealed class TensorPool
{
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
                float[] array = storage.Release();
                idle.Insert(FirstFitting(array.Length), new Idle(array, generation));
            }
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
}
