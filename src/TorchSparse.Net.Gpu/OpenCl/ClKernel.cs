using System.Runtime.CompilerServices;
using System.Text;

namespace TorchSparse.Gpu.OpenCl;

/// <summary>A cached cl_kernel, shared by every <see cref="ClKernel"/> of the same program and name.</summary>
internal sealed record ClKernelEntry(ClKernelHandle Handle, string Name, int ArgCount)
{
    public static unsafe ClKernelEntry Create(ClProgramHandle program, string name)
    {
        byte[] nameBytes = Encoding.UTF8.GetBytes(name + "\0");
        int status;
        nint handle;
        fixed (byte* p = nameBytes)
        {
            handle = ClNative.clCreateKernel(program.DangerousGetHandle(), p, &status);
        }

        ClNative.Check(status, "clCreateKernel", name);
        var kernel = new ClKernelHandle(handle);
        uint args;
        int info = ClNative.clGetKernelInfo(handle, ClNative.KernelNumArgs, sizeof(uint), &args, null);
        if (info != ClNative.Success)
        {
            kernel.Dispose();
            ClNative.Check(info, "clGetKernelInfo", name);
        }

        return new ClKernelEntry(kernel, name, (int)args);
    }
}

/// <summary>
/// One caller's argument list for a kernel. Arguments are only recorded here; <see cref="ClDevice.Launch"/> applies
/// them to the shared cl_kernel and enqueues it under the device's lock, because a cl_kernel's arguments are state
/// that another thread could overwrite between clSetKernelArg and clEnqueueNDRangeKernel. So kernels from
/// <see cref="ClDevice.GetKernel"/> may be used on different threads at once, but one ClKernel is not thread-safe:
/// give each thread its own (GetKernel is a hash and a dictionary lookup once the program is built).
/// </summary>
internal sealed class ClKernel
{
    private readonly Arg[] args;

    internal ClKernel(ClDevice device, ClKernelEntry entry)
    {
        Device = device;
        Entry = entry;
        args = new Arg[entry.ArgCount];
    }

    public ClDevice Device { get; }

    public string Name => Entry.Name;

    public int ArgCount => Entry.ArgCount;

    internal ClKernelEntry Entry { get; }

    public void SetArg(int index, ClBuffer buffer)
    {
        CheckIndex(index);
        if (buffer.Device != Device)
        {
            throw new ArgumentException($"argument {index} of kernel '{Name}' is a buffer of another device",
                nameof(buffer));
        }

        args[index] = new Arg(buffer, null, 0);
    }

    public unsafe void SetArg<T>(int index, T value)
        where T : unmanaged
    {
        CheckIndex(index);
        // Reuse the previous value's array when the size matches: repeated launches then allocate nothing.
        byte[] bytes = args[index].Value is { } previous && previous.Length == sizeof(T)
            ? previous
            : new byte[sizeof(T)];
        Unsafe.WriteUnaligned(ref bytes[0], value);
        args[index] = new Arg(null, bytes, 0);
    }

    /// <summary>Sets arguments 0, 1, ... in order from buffers and int, long, ulong or float values.</summary>
    public void SetArgs(params ReadOnlySpan<object> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            switch (values[i])
            {
                case ClBuffer buffer:
                    SetArg(i, buffer);
                    break;
                case int value:
                    SetArg(i, value);
                    break;
                case long value:
                    SetArg(i, value);
                    break;
                case float value:
                    SetArg(i, value);
                    break;
                case ulong value:
                    SetArg(i, value);
                    break;
                default:
                    throw new ArgumentException(
                        $"argument {i} of kernel '{Name}' has unsupported type {values[i].GetType()}", nameof(values));
            }
        }
    }

    /// <summary>A __local pointer argument: the driver allocates <paramref name="bytes"/> per work-group.</summary>
    public void SetLocalMemory(int index, long bytes)
    {
        CheckIndex(index);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        args[index] = new Arg(null, null, bytes);
    }

    /// <summary>Sets every recorded argument on the shared cl_kernel; the caller holds the device's launch lock.
    /// Throws CL_INVALID_KERNEL_ARGS, as the driver would for a fresh kernel, when an argument was never set: the
    /// shared cl_kernel may still hold another caller's value there.</summary>
    internal unsafe void Apply(nint kernel)
    {
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].IsSet)
            {
                throw new OpenClException(ClStatus.InvalidKernelArgs, "clEnqueueNDRangeKernel", Name,
                    detail: $"argument {i} of {args.Length} was never set");
            }
        }

        for (int i = 0; i < args.Length; i++)
        {
            Arg arg = args[i];
            int status;
            if (arg.Buffer is { } buffer)
            {
                ObjectDisposedException.ThrowIf(buffer.Memory.IsClosed, buffer);
                nint memory = buffer.Handle;
                status = ClNative.clSetKernelArg(kernel, (uint)i, (nuint)sizeof(nint), &memory);
            }
            else if (arg.Value is { } value)
            {
                fixed (byte* p = value)
                {
                    status = ClNative.clSetKernelArg(kernel, (uint)i, (nuint)value.Length, p);
                }
            }
            else
            {
                status = ClNative.clSetKernelArg(kernel, (uint)i, (nuint)arg.LocalBytes, null);
            }

            if (status != ClNative.Success)
            {
                throw new OpenClException(status, "clSetKernelArg", Name, detail: $"argument {i}");
            }
        }
    }

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)args.Length)
        {
            throw new OpenClException(ClStatus.InvalidArgIndex, "clSetKernelArg", Name,
                detail: $"argument index {index}, the kernel takes {args.Length}");
        }
    }

    private readonly record struct Arg(ClBuffer? Buffer, byte[]? Value, long LocalBytes)
    {
        public bool IsSet => Buffer is not null || Value is not null || LocalBytes > 0;
    }
}
