using System.Text;

namespace TorchSparse.Gpu.OpenCl;

/// <summary>Creating and building cl_programs for one device, from source or from a driver binary.</summary>
internal static unsafe class ClProgramBuilder
{
    /// <exception cref="OpenClException">CL_BUILD_PROGRAM_FAILURE with the compiler's log, or another status.
    /// </exception>
    public static ClProgramHandle FromSource(
        ClContextHandle context, nint device, string source, string options, string kernelName)
    {
        byte[] text = Encoding.UTF8.GetBytes(source);
        int status;
        nint handle;
        fixed (byte* p = text)
        {
            byte* strings = p;
            nuint length = (nuint)text.Length;
            handle = ClNative.clCreateProgramWithSource(context.DangerousGetHandle(), 1, &strings, &length, &status);
        }

        ClNative.Check(status, "clCreateProgramWithSource", kernelName);
        var program = new ClProgramHandle(handle);
        int built = Build(program, device, options);
        if (built != ClNative.Success)
        {
            string log = BuildLog(program, device);
            program.Dispose();
            throw new OpenClException(built, "clBuildProgram", kernelName, log);
        }

        return program;
    }

    /// <summary>A program from a binary this driver produced earlier, or null if the driver rejects it.</summary>
    public static ClProgramHandle? FromBinary(
        ClContextHandle context, nint device, ReadOnlySpan<byte> binary, string options)
    {
        int status;
        int binaryStatus;
        nint handle;
        fixed (byte* p = binary)
        {
            byte* binaries = p;
            nuint length = (nuint)binary.Length;
            nint deviceId = device;
            handle = ClNative.clCreateProgramWithBinary(
                context.DangerousGetHandle(), 1, &deviceId, &length, &binaries, &binaryStatus, &status);
        }

        var program = new ClProgramHandle(handle);
        if (status != ClNative.Success || binaryStatus != ClNative.Success || program.IsInvalid
            || Build(program, device, options) != ClNative.Success)
        {
            program.Dispose();
            return null;
        }

        return program;
    }

    /// <summary>The driver's binary of a built single-device program; empty when the driver offers none.</summary>
    public static byte[] Binary(ClProgramHandle program)
    {
        nint handle = program.DangerousGetHandle();
        nuint size;
        ClNative.Check(
            ClNative.clGetProgramInfo(handle, ClNative.ProgramBinarySizes, (nuint)sizeof(nuint), &size, null),
            "clGetProgramInfo");
        var binary = new byte[checked((int)size)];
        if (binary.Length > 0)
        {
            fixed (byte* p = binary)
            {
                byte* destination = p;
                int status = ClNative.clGetProgramInfo(
                    handle, ClNative.ProgramBinaries, (nuint)sizeof(nint), &destination, null);
                ClNative.Check(status, "clGetProgramInfo");
            }
        }

        return binary;
    }

    private static int Build(ClProgramHandle program, nint device, string options)
    {
        byte[] optionBytes = Encoding.UTF8.GetBytes(options + "\0");
        fixed (byte* o = optionBytes)
        {
            return ClNative.clBuildProgram(program.DangerousGetHandle(), 1, &device, o, 0, 0);
        }
    }

    private static string BuildLog(ClProgramHandle program, nint device)
    {
        nint handle = program.DangerousGetHandle();
        nuint size;
        if (ClNative.clGetProgramBuildInfo(handle, device, ClNative.ProgramBuildLog, 0, null, &size) != 0)
        {
            return "(no build log)";
        }

        var log = new byte[(int)size];
        fixed (byte* p = log)
        {
            if (ClNative.clGetProgramBuildInfo(handle, device, ClNative.ProgramBuildLog, size, p, null) != 0)
            {
                return "(no build log)";
            }
        }

        return ClDeviceInfo.Decode(log);
    }
}
