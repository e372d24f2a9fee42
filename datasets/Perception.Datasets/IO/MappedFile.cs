using System.IO.MemoryMappedFiles;

namespace Perception.Datasets.IO;

/// <summary>
/// A whole file mapped read-only into memory: readers decode straight from the page cache, with no buffer of the
/// file's size in between (a large LAS or PLY would otherwise first be copied whole into a byte array).
/// </summary>
public sealed unsafe class MappedFile : IDisposable
{
    private readonly MemoryMappedFile? mapping;
    private readonly MemoryMappedViewAccessor? view;
    private readonly byte* start;

    private MappedFile(MemoryMappedFile? mapping, MemoryMappedViewAccessor? view, int length)
    {
        this.mapping = mapping;
        this.view = view;
        Length = length;
        if (view is not null)
        {
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            start = pointer + view.PointerOffset;
        }
    }

    /// <summary>The file's size in bytes.</summary>
    public int Length { get; }

    /// <summary>The file's bytes; valid until this is disposed.</summary>
    public ReadOnlySpan<byte> Bytes
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return new ReadOnlySpan<byte>(start, Length);
        }
    }

    private bool disposed;

    /// <summary>Maps <paramref name="path"/>; an empty file gives an empty span (an empty file cannot be mapped).</summary>
    /// <exception cref="DatasetFormatException">The file is larger than one span can address (2 GiB).</exception>
    public static MappedFile Open(string path)
    {
        long length = new FileInfo(path).Length;
        if (length > int.MaxValue)
        {
            throw new DatasetFormatException(path, $"size {length} bytes is more than one read can address (2 GiB)");
        }

        if (length == 0)
        {
            return new MappedFile(null, null, 0);
        }

        MemoryMappedFile mapping = MemoryMappedFile.CreateFromFile(
            path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read);
        try
        {
            return new MappedFile(mapping, mapping.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read), (int)length);
        }
        catch
        {
            mapping.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        if (view is not null)
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose();
        }

        mapping?.Dispose();
    }
}
