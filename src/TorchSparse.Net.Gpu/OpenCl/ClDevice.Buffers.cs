namespace TorchSparse.Gpu.OpenCl;

/// <summary>Allocation and blocking or enqueued transfers of <see cref="ClBuffer"/>s.</summary>
internal sealed partial class ClDevice
{
    public unsafe ClBuffer Allocate(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        int status;
        nint memory = ClNative.clCreateBuffer(
            Context, ClNative.MemReadWrite, (nuint)Math.Max(bytes, 1), null, &status);
        ClNative.Check(status, "clCreateBuffer", detail: $"{bytes} bytes");
        return new ClBuffer(this, new ClMemHandle(memory), bytes);
    }

    /// <summary>A new buffer holding <paramref name="data"/> (written before this returns).</summary>
    public ClBuffer AllocateFrom<T>(ReadOnlySpan<T> data)
        where T : unmanaged
    {
        ClBuffer buffer = Allocate((long)data.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
        if (!data.IsEmpty)
        {
            Write(buffer, data);
        }

        return buffer;
    }

    /// <summary>Copies <paramref name="source"/> into the buffer at <paramref name="byteOffset"/>; returns when the
    /// data has been written, after every command enqueued before it.</summary>
    public unsafe void Write<T>(ClBuffer buffer, ReadOnlySpan<T> source, long byteOffset = 0)
        where T : unmanaged
    {
        long bytes = (long)source.Length * sizeof(T);
        CheckOwn(buffer);
        buffer.CheckRange(byteOffset, bytes, nameof(byteOffset));
        if (bytes == 0)
        {
            return;
        }

        fixed (T* p = source)
        {
            ClNative.Check(ClNative.clEnqueueWriteBuffer(
                Queue, buffer.Handle, ClNative.True, (nuint)byteOffset, (nuint)bytes, p, 0, null, null),
                "clEnqueueWriteBuffer");
        }

        GC.KeepAlive(buffer);
    }

    /// <summary>Copies the buffer from <paramref name="byteOffset"/> into <paramref name="destination"/>; returns
    /// when the data is there, after every command enqueued before it.</summary>
    public unsafe void Read<T>(ClBuffer buffer, Span<T> destination, long byteOffset = 0)
        where T : unmanaged
    {
        long bytes = (long)destination.Length * sizeof(T);
        CheckOwn(buffer);
        buffer.CheckRange(byteOffset, bytes, nameof(byteOffset));
        if (bytes == 0)
        {
            return;
        }

        fixed (T* p = destination)
        {
            ClNative.Check(ClNative.clEnqueueReadBuffer(
                Queue, buffer.Handle, ClNative.True, (nuint)byteOffset, (nuint)bytes, p, 0, null, null),
                "clEnqueueReadBuffer");
        }

        GC.KeepAlive(buffer);
    }

    /// <summary>Enqueues filling [byteOffset, byteOffset + bytes) with <paramref name="pattern"/> repeated; the
    /// pattern's size must be 1, 2, 4, ..., 128 bytes and divide both offset and length.</summary>
    public unsafe void Fill<T>(ClBuffer buffer, T pattern, long byteOffset, long bytes)
        where T : unmanaged
    {
        int size = sizeof(T);
        if (!int.IsPow2(size) || size > 128 || byteOffset % size != 0 || bytes % size != 0)
        {
            throw new ArgumentException(
                $"a {size}-byte fill pattern needs a power-of-two size up to 128 dividing the offset {byteOffset} and "
                + $"length {bytes}", nameof(pattern));
        }

        CheckOwn(buffer);
        buffer.CheckRange(byteOffset, bytes, nameof(byteOffset));
        if (bytes == 0)
        {
            return;
        }

        ClNative.Check(ClNative.clEnqueueFillBuffer(
            Queue, buffer.Handle, &pattern, (nuint)size, (nuint)byteOffset, (nuint)bytes, 0, null, null),
            "clEnqueueFillBuffer");
        GC.KeepAlive(buffer);
    }

    /// <summary>Enqueues a device-side copy; overlapping ranges of one buffer are CL_MEM_COPY_OVERLAP.</summary>
    public unsafe void Copy(
        ClBuffer source, long sourceOffset, ClBuffer destination, long destinationOffset, long bytes)
    {
        CheckOwn(source);
        CheckOwn(destination);
        source.CheckRange(sourceOffset, bytes, nameof(sourceOffset));
        destination.CheckRange(destinationOffset, bytes, nameof(destinationOffset));
        if (bytes == 0)
        {
            return;
        }

        ClNative.Check(ClNative.clEnqueueCopyBuffer(
            Queue, source.Handle, destination.Handle, (nuint)sourceOffset, (nuint)destinationOffset, (nuint)bytes,
            0, null, null), "clEnqueueCopyBuffer");
        GC.KeepAlive(source);
        GC.KeepAlive(destination);
    }

    /// <summary>
    /// Enqueues a copy of <paramref name="rows"/> rows of <paramref name="rowBytes"/> bytes each between two row-major
    /// layouts with their own pitches (a column block of one matrix into a column block of another), in one command.
    /// </summary>
    public unsafe void CopyRows(
        ClBuffer source, long sourceOffset, long sourcePitch, ClBuffer destination, long destinationOffset,
        long destinationPitch, long rowBytes, long rows)
    {
        CheckOwn(source);
        CheckOwn(destination);
        if (rows == 0 || rowBytes == 0)
        {
            return;
        }

        if (rowBytes > sourcePitch || rowBytes > destinationPitch)
        {
            throw new ArgumentException($"a row of {rowBytes} bytes does not fit the pitches {sourcePitch} and {destinationPitch}", nameof(rowBytes));
        }

        source.CheckRange(sourceOffset, ((rows - 1) * sourcePitch) + rowBytes, nameof(sourceOffset));
        destination.CheckRange(destinationOffset, ((rows - 1) * destinationPitch) + rowBytes, nameof(destinationOffset));
        nuint* sourceOrigin = stackalloc nuint[] { (nuint)sourceOffset, 0, 0 };
        nuint* destinationOrigin = stackalloc nuint[] { (nuint)destinationOffset, 0, 0 };
        nuint* region = stackalloc nuint[] { (nuint)rowBytes, (nuint)rows, 1 };
        ClNative.Check(ClNative.clEnqueueCopyBufferRect(
            Queue, source.Handle, destination.Handle, sourceOrigin, destinationOrigin, region,
            (nuint)sourcePitch, 0, (nuint)destinationPitch, 0, 0, null, null), "clEnqueueCopyBufferRect");
        GC.KeepAlive(source);
        GC.KeepAlive(destination);
    }

    private void CheckOwn(ClBuffer buffer)
    {
        if (buffer.Device != this)
        {
            throw new ArgumentException("the buffer belongs to another device", nameof(buffer));
        }
    }
}
