namespace TorchSparse.Gpu.OpenCl;

/// <summary>Kernels and their launches.</summary>
internal sealed partial class ClDevice
{
    /// <summary>Rounds <paramref name="value"/> up to a multiple of <paramref name="multiple"/>: a global size for a
    /// given local size. Kernels launched on a rounded-up range must bound-check their global id.</summary>
    public static long RoundUp(long value, long multiple)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(multiple);
        return checked((value + multiple - 1) / multiple * multiple);
    }

    /// <summary>A kernel of the program built from <paramref name="source"/> with <paramref name="buildOptions"/>,
    /// compiled at most once per device (and once per driver on disk). Build without fast-math unless a kernel's
    /// tests tolerate it; "-cl-fp32-correctly-rounded-divide-sqrt" makes float division and sqrt exact.</summary>
    /// <exception cref="OpenClException">CL_BUILD_PROGRAM_FAILURE with the build log, CL_INVALID_KERNEL_NAME, ...
    /// </exception>
    public ClKernel GetKernel(string source, string kernelName, string buildOptions = "")
    {
        ObjectDisposedException.ThrowIf(context.IsClosed, this);
        return new ClKernel(this, programs.GetKernel(source, kernelName, buildOptions));
    }

    /// <summary>Enqueues <paramref name="kernel"/> over <paramref name="globalSize"/> (1 to 3 dimensions) in
    /// work-groups of <paramref name="localSize"/>, or of the driver's choice when it is empty. Each global size
    /// must be a multiple of its local size (see <see cref="RoundUp"/>); a zero global size enqueues nothing.</summary>
    public void Launch(ClKernel kernel, ReadOnlySpan<long> globalSize, ReadOnlySpan<long> localSize) =>
        Enqueue(kernel, globalSize, localSize, timed: false);

    /// <summary>Launches like <see cref="Launch"/>, waits for the kernel, and returns its device time in nanoseconds
    /// (profiling END - START), for autotuning.</summary>
    public long LaunchTimed(ClKernel kernel, ReadOnlySpan<long> globalSize, ReadOnlySpan<long> localSize) =>
        Enqueue(kernel, globalSize, localSize, timed: true);

    /// <summary>CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE: the warp/wavefront/SIMD width local sizes should
    /// be a multiple of.</summary>
    public long PreferredWorkGroupMultiple(ClKernel kernel) =>
        WorkGroupInfo(kernel, ClNative.KernelPreferredWorkGroupSizeMultiple);

    /// <summary>CL_KERNEL_WORK_GROUP_SIZE: the largest work-group this kernel can run with on this device, which
    /// its register and local-memory use may put below the device's maximum.</summary>
    public long MaxWorkGroupSize(ClKernel kernel) => WorkGroupInfo(kernel, ClNative.KernelWorkGroupSize);

    private unsafe long Enqueue(ClKernel kernel, ReadOnlySpan<long> globalSize, ReadOnlySpan<long> localSize,
        bool timed)
    {
        CheckLaunch(kernel, globalSize, localSize);
        int dimensions = globalSize.Length;
        nuint* global = stackalloc nuint[3];
        nuint* local = stackalloc nuint[3];
        bool empty = false;
        for (int i = 0; i < dimensions; i++)
        {
            global[i] = (nuint)globalSize[i];
            local[i] = localSize.IsEmpty ? 0 : (nuint)localSize[i];
            empty |= globalSize[i] == 0;
        }

        nint evt = 0;
        lock (launchLock)
        {
            ObjectDisposedException.ThrowIf(kernel.Entry.Handle.IsClosed, this);
            nint handle = kernel.Entry.Handle.DangerousGetHandle();
            kernel.Apply(handle);
            if (empty)
            {
                return 0;
            }

            ClNative.Check(ClNative.clEnqueueNDRangeKernel(
                Queue, handle, (uint)dimensions, null, global, localSize.IsEmpty ? null : local, 0, null,
                timed ? &evt : null), "clEnqueueNDRangeKernel", kernel.Name);
        }

        GC.KeepAlive(kernel);
        if (!timed)
        {
            return 0;
        }

        try
        {
            ClNative.Check(ClNative.clWaitForEvents(1, &evt), "clWaitForEvents", kernel.Name);
            ulong start;
            ulong end;
            ClNative.Check(ClNative.clGetEventProfilingInfo(
                evt, ClNative.ProfilingCommandStart, sizeof(ulong), &start, null), "clGetEventProfilingInfo");
            ClNative.Check(ClNative.clGetEventProfilingInfo(
                evt, ClNative.ProfilingCommandEnd, sizeof(ulong), &end, null), "clGetEventProfilingInfo");
            return (long)(end - start);
        }
        finally
        {
            _ = ClNative.clReleaseEvent(evt);
        }
    }

    private void CheckLaunch(ClKernel kernel, ReadOnlySpan<long> globalSize, ReadOnlySpan<long> localSize)
    {
        if (kernel.Device != this)
        {
            throw new ArgumentException($"kernel '{kernel.Name}' belongs to another device", nameof(kernel));
        }

        if (globalSize.Length is < 1 or > 3)
        {
            throw new ArgumentException(
                $"kernel '{kernel.Name}': {globalSize.Length} global dimensions, OpenCL takes 1 to 3",
                nameof(globalSize));
        }

        if (!localSize.IsEmpty && localSize.Length != globalSize.Length)
        {
            throw new ArgumentException(
                $"kernel '{kernel.Name}': global size [{Join(globalSize)}] and local size [{Join(localSize)}] have "
                + "different dimensions", nameof(localSize));
        }

        for (int i = 0; i < globalSize.Length; i++)
        {
            if (globalSize[i] < 0 || (!localSize.IsEmpty && (localSize[i] <= 0 || globalSize[i] % localSize[i] != 0)))
            {
                throw new ArgumentException(
                    $"kernel '{kernel.Name}': global size [{Join(globalSize)}] is not a multiple of local size "
                    + $"[{Join(localSize)}] in dimension {i}; round it up with ClDevice.RoundUp and bound-check in "
                    + "the kernel", nameof(globalSize));
            }
        }
    }

    private unsafe long WorkGroupInfo(ClKernel kernel, uint param)
    {
        nuint value;
        ClNative.Check(ClNative.clGetKernelWorkGroupInfo(
            kernel.Entry.Handle.DangerousGetHandle(), Info.DeviceId, param, (nuint)sizeof(nuint), &value, null),
            "clGetKernelWorkGroupInfo", kernel.Name);
        GC.KeepAlive(kernel);
        return (long)value;
    }

    private static string Join(ReadOnlySpan<long> sizes) => string.Join(", ", sizes.ToArray());
}
