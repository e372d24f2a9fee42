namespace TorchSparse.Backends;

/// <summary>
/// The narrow surface a compute backend implements: allocate, move bytes to and from the host, and run the ops the
/// engine launches. Public API methods validate their arguments first; backends trust what they are given.
/// </summary>
internal abstract class Backend
{
    public abstract string Name { get; }

    public abstract DeviceKind Kind { get; }

    /// <summary>Allocates storage for <paramref name="length"/> elements; contents are undefined unless zeroed.</summary>
    public abstract TensorStorage Allocate(DType dtype, long length, bool zeroed);

    public abstract void Upload<T>(ReadOnlySpan<T> source, TensorStorage destination)
        where T : unmanaged;

    public abstract void Download<T>(TensorStorage source, Span<T> destination)
        where T : unmanaged;
}

/// <summary>Memory owned by one backend. Its length counts elements of <see cref="DType"/>.</summary>
internal abstract class TensorStorage(Backend backend, DType dtype, long length)
{
    public Backend Backend { get; } = backend;

    public DType DType { get; } = dtype;

    public long Length { get; } = length;

    public long Bytes => Length * DTypeInfo.SizeOf(DType);
}
