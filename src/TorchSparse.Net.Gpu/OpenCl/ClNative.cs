using System.Runtime.InteropServices;

namespace TorchSparse.Gpu.OpenCl;

/// <summary>
/// The OpenCL 1.2/2.0 entry points the runtime uses, bound to the ICD loader (ocl-icd's libOpenCL.so.1), and the
/// enum values from the Khronos headers. Handles are plain <c>nint</c>; ownership lives in the SafeHandles.
/// </summary>
internal static unsafe partial class ClNative
{
    private const string Library = "libOpenCL.so.1";

    public const int Success = 0;
    public const uint True = 1;

    public const uint PlatformVersion = 0x0901;
    public const uint PlatformName = 0x0902;

    public const ulong DeviceTypeAll = 0xFFFFFFFF;
    public const uint DeviceMaxComputeUnits = 0x1002;
    public const uint DeviceMaxWorkGroupSize = 0x1004;
    public const uint DeviceGlobalMemSize = 0x101F;
    public const uint DeviceLocalMemSize = 0x1023;
    public const uint DeviceName = 0x102B;
    public const uint DeviceVendor = 0x102C;
    public const uint DriverVersion = 0x102D;
    public const uint DeviceVersion = 0x102F;
    public const uint DeviceExtensions = 0x1030;
    public const uint DeviceOpenClCVersion = 0x103D;

    public const nint ContextPlatform = 0x1084;
    public const ulong QueueProperties = 0x1093;
    public const ulong QueueProfilingEnable = 1 << 1;

    public const ulong MemReadWrite = 1 << 0;

    public const uint ProgramBinarySizes = 0x1165;
    public const uint ProgramBinaries = 0x1166;
    public const uint ProgramBuildLog = 0x1183;

    public const uint KernelNumArgs = 0x1191;
    public const uint KernelWorkGroupSize = 0x11B0;
    public const uint KernelPreferredWorkGroupSizeMultiple = 0x11B3;

    public const uint ProfilingCommandStart = 0x1282;
    public const uint ProfilingCommandEnd = 0x1283;

    [LibraryImport(Library)]
    public static partial int clGetPlatformIDs(uint numEntries, nint* platforms, uint* numPlatforms);

    [LibraryImport(Library)]
    public static partial int clGetPlatformInfo(nint platform, uint param, nuint size, void* value, nuint* sizeRet);

    [LibraryImport(Library)]
    public static partial int clGetDeviceIDs(
        nint platform, ulong deviceType, uint numEntries, nint* devices, uint* numDevices);

    [LibraryImport(Library)]
    public static partial int clGetDeviceInfo(nint device, uint param, nuint size, void* value, nuint* sizeRet);

    [LibraryImport(Library)]
    public static partial nint clCreateContext(
        nint* properties, uint numDevices, nint* devices, nint notify, nint userData, int* status);

    [LibraryImport(Library)]
    public static partial int clReleaseContext(nint context);

    [LibraryImport(Library)]
    public static partial nint clCreateCommandQueueWithProperties(
        nint context, nint device, ulong* properties, int* status);

    // Deprecated in 2.0 but the only constructor a 1.x platform has.
    [LibraryImport(Library)]
    public static partial nint clCreateCommandQueue(nint context, nint device, ulong properties, int* status);

    [LibraryImport(Library)]
    public static partial int clReleaseCommandQueue(nint queue);

    [LibraryImport(Library)]
    public static partial int clFinish(nint queue);

    [LibraryImport(Library)]
    public static partial nint clCreateBuffer(nint context, ulong flags, nuint size, void* hostPtr, int* status);

    [LibraryImport(Library)]
    public static partial int clReleaseMemObject(nint memory);

    [LibraryImport(Library)]
    public static partial int clEnqueueReadBuffer(
        nint queue, nint buffer, uint blocking, nuint offset, nuint size, void* destination,
        uint numWaitEvents, nint* waitEvents, nint* evt);

    [LibraryImport(Library)]
    public static partial int clEnqueueWriteBuffer(
        nint queue, nint buffer, uint blocking, nuint offset, nuint size, void* source,
        uint numWaitEvents, nint* waitEvents, nint* evt);

    [LibraryImport(Library)]
    public static partial int clEnqueueFillBuffer(
        nint queue, nint buffer, void* pattern, nuint patternSize, nuint offset, nuint size,
        uint numWaitEvents, nint* waitEvents, nint* evt);

    [LibraryImport(Library)]
    public static partial int clEnqueueCopyBuffer(
        nint queue, nint source, nint destination, nuint sourceOffset, nuint destinationOffset, nuint size,
        uint numWaitEvents, nint* waitEvents, nint* evt);

    [LibraryImport(Library)]
    public static partial int clEnqueueCopyBufferRect(
        nint queue, nint source, nint destination, nuint* sourceOrigin, nuint* destinationOrigin, nuint* region,
        nuint sourceRowPitch, nuint sourceSlicePitch, nuint destinationRowPitch, nuint destinationSlicePitch,
        uint numWaitEvents, nint* waitEvents, nint* evt);

    [LibraryImport(Library)]
    public static partial nint clCreateProgramWithSource(
        nint context, uint count, byte** strings, nuint* lengths, int* status);

    [LibraryImport(Library)]
    public static partial nint clCreateProgramWithBinary(
        nint context, uint numDevices, nint* devices, nuint* lengths, byte** binaries, int* binaryStatus,
        int* status);

    [LibraryImport(Library)]
    public static partial int clBuildProgram(
        nint program, uint numDevices, nint* devices, byte* options, nint notify, nint userData);

    [LibraryImport(Library)]
    public static partial int clGetProgramInfo(nint program, uint param, nuint size, void* value, nuint* sizeRet);

    [LibraryImport(Library)]
    public static partial int clGetProgramBuildInfo(
        nint program, nint device, uint param, nuint size, void* value, nuint* sizeRet);

    [LibraryImport(Library)]
    public static partial int clReleaseProgram(nint program);

    [LibraryImport(Library)]
    public static partial nint clCreateKernel(nint program, byte* name, int* status);

    [LibraryImport(Library)]
    public static partial int clGetKernelInfo(nint kernel, uint param, nuint size, void* value, nuint* sizeRet);

    [LibraryImport(Library)]
    public static partial int clGetKernelWorkGroupInfo(
        nint kernel, nint device, uint param, nuint size, void* value, nuint* sizeRet);

    [LibraryImport(Library)]
    public static partial int clSetKernelArg(nint kernel, uint index, nuint size, void* value);

    [LibraryImport(Library)]
    public static partial int clReleaseKernel(nint kernel);

    [LibraryImport(Library)]
    public static partial int clEnqueueNDRangeKernel(
        nint queue, nint kernel, uint workDim, nuint* globalOffset, nuint* globalSize, nuint* localSize,
        uint numWaitEvents, nint* waitEvents, nint* evt);

    [LibraryImport(Library)]
    public static partial int clWaitForEvents(uint numEvents, nint* events);

    [LibraryImport(Library)]
    public static partial int clGetEventProfilingInfo(nint evt, uint param, nuint size, void* value, nuint* sizeRet);

    [LibraryImport(Library)]
    public static partial int clReleaseEvent(nint evt);

    /// <summary>Throws <see cref="OpenClException"/> unless <paramref name="status"/> is CL_SUCCESS.</summary>
    public static void Check(int status, string call, string? kernelName = null, string? detail = null)
    {
        if (status != Success)
        {
            throw new OpenClException(status, call, kernelName, detail: detail);
        }
    }
}
