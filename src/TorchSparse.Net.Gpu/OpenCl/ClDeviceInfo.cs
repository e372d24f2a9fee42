using System.Text;

namespace TorchSparse.Gpu.OpenCl;

/// <summary>One OpenCL device as its driver describes it, with the indices <see cref="ClDevice.Open"/> takes.</summary>
internal sealed record ClDeviceInfo(
    int PlatformIndex,
    int DeviceIndex,
    string PlatformName,
    string PlatformVersion,
    string DeviceName,
    string Vendor,
    string DriverVersion,
    string DeviceVersion,
    string OpenClCVersion,
    long MaxWorkGroupSize,
    long LocalMemBytes,
    long GlobalMemBytes,
    int ComputeUnits,
    bool SupportsFp16,
    bool SupportsInt64Atomics)
{
    internal nint PlatformId { get; init; }

    internal nint DeviceId { get; init; }

    /// <summary>OpenCL 1.x platforms have no clCreateCommandQueueWithProperties.</summary>
    internal bool IsOpenCl1 => PlatformVersion.StartsWith("OpenCL 1.", StringComparison.Ordinal);

    /// <summary>Every device of every platform, in driver order.</summary>
    /// <exception cref="OpenClUnavailableException">No libOpenCL.so.1, or the loader found no platform.</exception>
    public static IReadOnlyList<ClDeviceInfo> Enumerate()
    {
        nint[] platforms;
        try
        {
            platforms = PlatformIds();
        }
        catch (DllNotFoundException e)
        {
            throw new OpenClUnavailableException("libOpenCL.so.1 (the ICD loader) could not be loaded", e);
        }

        var devices = new List<ClDeviceInfo>();
        for (int p = 0; p < platforms.Length; p++)
        {
            nint[] ids = DeviceIds(platforms[p]);
            for (int d = 0; d < ids.Length; d++)
            {
                devices.Add(Query(platforms[p], p, ids[d], d));
            }
        }

        return devices;
    }

    private static unsafe nint[] PlatformIds()
    {
        uint count;
        int status = ClNative.clGetPlatformIDs(0, null, &count);
        if (status == ClStatus.PlatformNotFoundKhr || (status == ClNative.Success && count == 0))
        {
            throw new OpenClUnavailableException(
                "the ICD loader found no OpenCL platform (no driver listed in /etc/OpenCL/vendors)");
        }

        ClNative.Check(status, "clGetPlatformIDs");
        var ids = new nint[count];
        fixed (nint* p = ids)
        {
            ClNative.Check(ClNative.clGetPlatformIDs(count, p, null), "clGetPlatformIDs");
        }

        return ids;
    }

    private static unsafe nint[] DeviceIds(nint platform)
    {
        uint count;
        int status = ClNative.clGetDeviceIDs(platform, ClNative.DeviceTypeAll, 0, null, &count);
        if (status == ClStatus.DeviceNotFound)
        {
            return [];
        }

        ClNative.Check(status, "clGetDeviceIDs");
        var ids = new nint[count];
        fixed (nint* p = ids)
        {
            ClNative.Check(ClNative.clGetDeviceIDs(platform, ClNative.DeviceTypeAll, count, p, null), "clGetDeviceIDs");
        }

        return ids;
    }

    private static ClDeviceInfo Query(nint platform, int platformIndex, nint device, int deviceIndex)
    {
        string extensions = DeviceString(device, ClNative.DeviceExtensions);
        string[] extensionList = extensions.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new ClDeviceInfo(
            platformIndex,
            deviceIndex,
            PlatformString(platform, ClNative.PlatformName),
            PlatformString(platform, ClNative.PlatformVersion),
            DeviceString(device, ClNative.DeviceName),
            DeviceString(device, ClNative.DeviceVendor),
            DeviceString(device, ClNative.DriverVersion),
            DeviceString(device, ClNative.DeviceVersion),
            DeviceString(device, ClNative.DeviceOpenClCVersion),
            (long)DeviceValue<nuint>(device, ClNative.DeviceMaxWorkGroupSize),
            (long)DeviceValue<ulong>(device, ClNative.DeviceLocalMemSize),
            (long)DeviceValue<ulong>(device, ClNative.DeviceGlobalMemSize),
            (int)DeviceValue<uint>(device, ClNative.DeviceMaxComputeUnits),
            extensionList.Contains("cl_khr_fp16"),
            extensionList.Contains("cl_khr_int64_base_atomics"))
        {
            PlatformId = platform,
            DeviceId = device,
        };
    }

    private static unsafe string PlatformString(nint platform, uint param)
    {
        nuint size;
        ClNative.Check(ClNative.clGetPlatformInfo(platform, param, 0, null, &size), "clGetPlatformInfo");
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes)
        {
            ClNative.Check(ClNative.clGetPlatformInfo(platform, param, size, p, null), "clGetPlatformInfo");
        }

        return Decode(bytes);
    }

    private static unsafe string DeviceString(nint device, uint param)
    {
        nuint size;
        ClNative.Check(ClNative.clGetDeviceInfo(device, param, 0, null, &size), "clGetDeviceInfo");
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes)
        {
            ClNative.Check(ClNative.clGetDeviceInfo(device, param, size, p, null), "clGetDeviceInfo");
        }

        return Decode(bytes);
    }

    private static unsafe T DeviceValue<T>(nint device, uint param)
        where T : unmanaged
    {
        T value;
        ClNative.Check(ClNative.clGetDeviceInfo(device, param, (nuint)sizeof(T), &value, null), "clGetDeviceInfo");
        return value;
    }

    /// <summary>Info strings are NUL-terminated; some drivers also pad them with spaces.</summary>
    internal static string Decode(ReadOnlySpan<byte> bytes)
    {
        int end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]).Trim();
    }
}
