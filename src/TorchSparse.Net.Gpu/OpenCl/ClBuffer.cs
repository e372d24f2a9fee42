namespace TorchSparse.Gpu.OpenCl;

/// <summary>A read-write buffer of one <see cref="ClDevice"/>; dispose it, or the finalizer releases it.</summary>
internal sealed class ClBuffer : IDisposable
{
    internal ClBuffer(ClDevice device, ClMemHandle memory, long bytes)
    {
        Device = device;
        Memory = memory;
        Bytes = bytes;
    }

    public ClDevice Device { get; }

    /// <summary>The requested size; a zero-byte buffer holds one byte underneath, OpenCL has no empty ones.</summary>
    public long Bytes { get; }

    /// <summary>The cl_mem, for code that calls OpenCL directly; valid until Dispose.</summary>
    public nint Handle => Memory.DangerousGetHandle();

    internal ClMemHandle Memory { get; }

    public void Dispose() => Memory.Dispose();

    /// <summary>Throws unless [offset, offset + count) lies inside the buffer.</summary>
    internal void CheckRange(long offset, long count, string offsetName)
    {
        ObjectDisposedException.ThrowIf(Memory.IsClosed, this);
        if (offset < 0 || count < 0 || offset > Bytes - count)
        {
            throw new ArgumentOutOfRangeException(
                offsetName, $"bytes [{offset}, {offset + count}) do not fit a buffer of {Bytes} bytes");
        }
    }
}
