// The OpenCL host runtime: our own LibraryImport bindings to the ICD loader (ClNative), a device with one in-order
// profiling queue (this file), device buffers (ClBuffer), kernels whose arguments are recorded per caller and applied
// under the device's launch lock (ClKernel), and a program cache in memory and on disk (ClProgramCache). Errors
// surface as OpenClException naming the call, status and kernel; no driver at all is OpenClUnavailableException.
using System.Security.Cryptography;
using System.Text;

namespace TorchSparse.Gpu.OpenCl;

/// <summary>
/// One OpenCL device: a context and a single in-order command queue with profiling. Safe to share between threads:
/// the queue is thread-safe by the spec, and each launch sets its kernel's arguments and enqueues it under one lock.
/// Commands run in enqueue order; Write and Read block, Fill, Copy and Launch return once enqueued.
/// </summary>
internal sealed partial class ClDevice : IDisposable
{
    private readonly ClContextHandle context;
    private readonly ClQueueHandle queue;
    private readonly ClProgramCache programs;
    private readonly Lock launchLock = new();

    private ClDevice(ClDeviceInfo info, ClContextHandle context, ClQueueHandle queue, ClCacheSettings cache)
    {
        Info = info;
        this.context = context;
        this.queue = queue;
        CacheKey = MakeCacheKey(info);
        programs = new ClProgramCache(context, info.DeviceId, CacheKey, cache);
    }

    public ClDeviceInfo Info { get; }

    /// <summary>Names this platform, device and driver in a file name, so compiled binaries are never reused by
    /// another driver version; a hash of the exact names keeps sanitized look-alikes apart.</summary>
    public string CacheKey { get; }

    public long ProgramsBuiltFromSource => programs.BuiltFromSource;

    public long ProgramsLoadedFromDisk => programs.LoadedFromDisk;

    public long MemoryCacheHits => programs.MemoryHits;

    internal ClProgramCache Programs => programs;

    public static IReadOnlyList<ClDeviceInfo> Enumerate() => ClDeviceInfo.Enumerate();

    /// <summary>Opens a device by the indices <see cref="Enumerate"/> reports.</summary>
    /// <param name="platform">Index of the platform in clGetPlatformIDs order.</param>
    /// <param name="device">Index of the device within that platform.</param>
    /// <param name="cache">Program cache and dump directories; null reads them from the environment
    /// (<see cref="ClCacheSettings.FromEnvironment"/>).</param>
    public static unsafe ClDevice Open(int platform = 0, int device = 0, ClCacheSettings? cache = null)
    {
        IReadOnlyList<ClDeviceInfo> all = Enumerate();
        if (all.Count == 0)
        {
            throw new OpenClUnavailableException("the OpenCL platforms have no devices");
        }

        ClDeviceInfo info = all.FirstOrDefault(d => d.PlatformIndex == platform && d.DeviceIndex == device)
            ?? throw new ArgumentOutOfRangeException(nameof(device), $"no OpenCL device {platform}:{device}; there are "
                + string.Join(", ", all.Select(d => $"{d.PlatformIndex}:{d.DeviceIndex} {d.DeviceName}")));

        int status;
        nint* properties = stackalloc nint[] { ClNative.ContextPlatform, info.PlatformId, 0 };
        nint deviceId = info.DeviceId;
        var context = new ClContextHandle(ClNative.clCreateContext(properties, 1, &deviceId, 0, 0, &status));
        ClNative.Check(status, "clCreateContext");

        nint queue;
        if (info.IsOpenCl1)
        {
            queue = ClNative.clCreateCommandQueue(context.DangerousGetHandle(), deviceId, ClNative.QueueProfilingEnable,
                &status);
        }
        else
        {
            ulong* queueProperties = stackalloc ulong[] { ClNative.QueueProperties, ClNative.QueueProfilingEnable, 0 };
            queue = ClNative.clCreateCommandQueueWithProperties(
                context.DangerousGetHandle(), deviceId, queueProperties, &status);
        }

        if (status != ClNative.Success)
        {
            context.Dispose();
            ClNative.Check(status, info.IsOpenCl1 ? "clCreateCommandQueue" : "clCreateCommandQueueWithProperties");
        }

        return new ClDevice(info, context, new ClQueueHandle(queue), cache ?? ClCacheSettings.FromEnvironment());
    }

    /// <summary>Blocks until every enqueued command has finished; asynchronous execution errors surface here.
    /// </summary>
    public void Finish() => ClNative.Check(ClNative.clFinish(Queue), "clFinish");

    /// <summary>Releases the kernels, programs, queue and context. Buffers release themselves; the context lives on
    /// (reference-counted by the driver) until the last of them is disposed.</summary>
    public void Dispose()
    {
        if (context.IsClosed)
        {
            return;
        }

        if (!queue.IsClosed)
        {
            _ = ClNative.clFinish(queue.DangerousGetHandle());
        }

        programs.Dispose();
        queue.Dispose();
        context.Dispose();
    }

    private nint Context
    {
        get
        {
            ObjectDisposedException.ThrowIf(context.IsClosed, this);
            return context.DangerousGetHandle();
        }
    }

    private nint Queue
    {
        get
        {
            ObjectDisposedException.ThrowIf(queue.IsClosed, this);
            return queue.DangerousGetHandle();
        }
    }

    private static string MakeCacheKey(ClDeviceInfo info)
    {
        string exact = $"{info.PlatformName}\n{info.DeviceName}\n{info.DriverVersion}";
        var readable = new StringBuilder();
        foreach (char c in $"{info.PlatformName}-{info.DeviceName}-{info.DriverVersion}")
        {
            bool safe = char.IsAsciiLetterOrDigit(c) || c is '.' or '-';
            if (safe || (readable.Length > 0 && readable[^1] != '_'))
            {
                readable.Append(safe ? c : '_');
            }

            if (readable.Length == 96)
            {
                break;
            }
        }

        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(exact)))[..12];
        return $"{readable.ToString().TrimEnd('_')}-{hash}";
    }
}
