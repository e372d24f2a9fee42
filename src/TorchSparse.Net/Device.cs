using TorchSparse.Backends;
using TorchSparse.Backends.Cpu;

namespace TorchSparse;

/// <summary>Kinds of compute device: the managed-SIMD CPU, and the backends that run generated kernels.</summary>
public enum DeviceKind
{
    Cpu,
    OpenCl,
    Cuda,
}

/// <summary>
/// Where a tensor lives and which backend runs its ops. Operations never move data between devices on their own:
/// mixing devices is an error, not a silent copy.
/// </summary>
public sealed class Device : IEquatable<Device>
{
    internal Device(Backend backend) => Backend = backend;

    /// <summary>The managed-SIMD CPU backend.</summary>
    public static Device Cpu => CpuBackend.Instance.Device;

    /// <summary>
    /// Threads the CPU backend uses (default: all processors; 0 or less restores that). Every CPU kernel gives the
    /// same bits for any thread count.
    /// </summary>
    public static int CpuThreads
    {
        get => CpuParallel.MaxThreads;
        set => CpuParallel.MaxThreads = value;
    }

    public DeviceKind Kind => Backend.Kind;

    /// <summary>Blocks until every op launched on this device has finished (ops of generated-kernel backends are
    /// queued and run asynchronously; reading a result back also waits).</summary>
    public void Synchronize() => Backend.Synchronize();

    internal Backend Backend { get; }

    public bool Equals(Device? other) => other is not null && ReferenceEquals(Backend, other.Backend);

    public override bool Equals(object? obj) => Equals(obj as Device);

    public override int GetHashCode() => Backend.GetHashCode();

    public override string ToString() => Backend.Name;

    internal static void RequireSame(Device a, Device b, string what)
    {
        if (!a.Equals(b))
        {
            throw new DeviceMismatchException($"{what}: tensors are on different devices ({a} and {b}); copy explicitly.");
        }
    }
}
