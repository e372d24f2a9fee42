using System.Runtime.InteropServices;

namespace TorchSparse.Gpu.OpenCl;

/// <summary>
/// An owned reference to an OpenCL object, released once by Dispose or, if that never ran, by the finalizer.
/// Release order between handles does not matter: OpenCL objects keep their context alive by reference count, and a
/// released buffer lives on until the commands queued against it have finished.
/// </summary>
internal abstract class ClHandle : SafeHandle
{
    protected ClHandle(nint value)
        : base(0, ownsHandle: true) => SetHandle(value);

    public override bool IsInvalid => handle == 0;
}

internal sealed class ClContextHandle(nint value) : ClHandle(value)
{
    protected override bool ReleaseHandle() => ClNative.clReleaseContext(handle) == ClNative.Success;
}

internal sealed class ClQueueHandle(nint value) : ClHandle(value)
{
    protected override bool ReleaseHandle() => ClNative.clReleaseCommandQueue(handle) == ClNative.Success;
}

internal sealed class ClMemHandle(nint value) : ClHandle(value)
{
    protected override bool ReleaseHandle() => ClNative.clReleaseMemObject(handle) == ClNative.Success;
}

internal sealed class ClProgramHandle(nint value) : ClHandle(value)
{
    protected override bool ReleaseHandle() => ClNative.clReleaseProgram(handle) == ClNative.Success;
}

internal sealed class ClKernelHandle(nint value) : ClHandle(value)
{
    protected override bool ReleaseHandle() => ClNative.clReleaseKernel(handle) == ClNative.Success;
}
