namespace TorchSparse.Gpu.OpenCl;

/// <summary>An OpenCL call returned an error status; the message names the call, the status and the kernel.</summary>
public class OpenClException : Exception
{
    internal OpenClException(int status, string call, string? kernelName = null, string? buildLog = null,
        string? detail = null)
        : base(Format(status, call, kernelName, buildLog, detail))
    {
        Status = status;
        StatusName = ClStatus.Name(status);
        Call = call;
        KernelName = kernelName;
        BuildLog = buildLog;
    }

    /// <summary>The raw cl_int status, e.g. -54.</summary>
    public int Status { get; }

    /// <summary>The status's name from the Khronos headers, e.g. "CL_INVALID_WORK_GROUP_SIZE".</summary>
    public string StatusName { get; }

    /// <summary>The OpenCL function that failed, e.g. "clEnqueueNDRangeKernel".</summary>
    public string Call { get; }

    public string? KernelName { get; }

    /// <summary>The compiler's complete log when a program failed to build; null otherwise.</summary>
    public string? BuildLog { get; }

    private static string Format(int status, string call, string? kernelName, string? buildLog, string? detail)
    {
        string message = $"{call} failed: {ClStatus.Name(status)} ({status})";
        if (kernelName is not null)
        {
            message += $" for kernel '{kernelName}'";
        }

        if (detail is not null)
        {
            message += $": {detail}";
        }

        if (!string.IsNullOrWhiteSpace(buildLog))
        {
            message += $"{Environment.NewLine}Build log:{Environment.NewLine}{buildLog.TrimEnd()}";
        }

        return message;
    }
}

/// <summary>No OpenCL runtime to talk to: libOpenCL.so.1 is missing, or it found no platform or no device.</summary>
public sealed class OpenClUnavailableException : Exception
{
    internal const string Advice =
        "Install an OpenCL driver: on Debian/Ubuntu 'apt-get install ocl-icd-libopencl1 pocl-opencl-icd' for the "
        + "CPU driver (PoCL), or your GPU vendor's OpenCL ICD.";

    internal OpenClUnavailableException(string reason, Exception? inner = null)
        : base($"OpenCL is not available: {reason}. {Advice}", inner)
    {
    }
}
