using System.CommandLine;
using TorchSparse;
using TorchSparse.Gpu.OpenCl;

namespace Perception.Cli.Commands;

/// <summary>The `--backend` option of the commands that run the engine, and the device it names.</summary>
internal static class BackendOption
{
    public const string Cpu = "cpu";
    public const string OpenCl = "opencl";

    /// <param name="description">What the choice means for this command (the values are listed after it).</param>
    public static Option<string> Create(string description)
    {
        var option = new Option<string>("--backend")
        {
            Description = description + " cpu: managed SIMD (default); opencl: generated kernels on the first OpenCL "
                + "device. (cuda arrives with the CUDA backend.)",
            DefaultValueFactory = _ => Cpu,
        };
        option.AcceptOnlyFromAmong(Cpu, OpenCl);
        return option;
    }

    /// <summary>The engine device for a parsed value; opening OpenCL fails with a clear error when it is absent.</summary>
    public static Device Open(string? value) => value == OpenCl ? OpenClDevices.Open() : Device.Cpu;
}
