using TorchSparse.Gpu.OpenCl;

namespace TorchSparse.Gpu.Tests.OpenCl;

/// <summary>
/// One program for every launch test: PoCL compiles each kernel again for each local size at its first launch, so
/// the suite keeps to these three kernels and few sizes. FP_CONTRACT OFF keeps a * x + y two roundings, like C#.
/// </summary>
internal static class ClTestKernels
{
    public const string Source = """
        #pragma OPENCL FP_CONTRACT OFF

        __kernel void saxpy(const int n, const float a, __global const float* x, __global float* y)
        {
            int i = get_global_id(0);
            if (i < n)
                y[i] = a * x[i] + y[i];
        }

        __kernel void mix_u32(const uint n, __global const uint* a, __global const uint* b, __global uint* c)
        {
            uint i = get_global_id(0);
            if (i < n)
                c[i] = (a[i] * 2654435761u) ^ (b[i] >> 3) ^ i;
        }

        // One sum per work-group; the local size must be a power of two.
        __kernel void block_sum(__global const int* x, __global int* sums, __local int* scratch)
        {
            uint l = get_local_id(0);
            scratch[l] = x[get_global_id(0)];
            barrier(CLK_LOCAL_MEM_FENCE);
            for (uint s = get_local_size(0) / 2; s > 0; s >>= 1)
            {
                if (l < s)
                    scratch[l] += scratch[l + s];
                barrier(CLK_LOCAL_MEM_FENCE);
            }
            if (l == 0)
                sums[get_group_id(0)] = scratch[0];
        }
        """;

    public static float[] RandomFloats(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() - 0.5) * 2000)).ToArray();

    /// <summary>Runs saxpy through <paramref name="kernel"/> on fresh buffers and returns (device y, C# y).</summary>
    public static (float[] Device, float[] Expected) Saxpy(ClDevice device, ClKernel kernel, int n, float a, int seed)
    {
        var random = new Random(seed);
        float[] x = RandomFloats(random, n);
        float[] y = RandomFloats(random, n);
        using ClBuffer xBuffer = device.Allocate(n * sizeof(float));
        using ClBuffer yBuffer = device.Allocate(n * sizeof(float));
        device.Write<float>(xBuffer, x);
        device.Write<float>(yBuffer, y);
        kernel.SetArg(0, n);
        kernel.SetArg(1, a);
        kernel.SetArg(2, xBuffer);
        kernel.SetArg(3, yBuffer);
        device.Launch(kernel, [ClDevice.RoundUp(n, 64)], [64]);
        var result = new float[n];
        device.Read<float>(yBuffer, result);
        float[] expected = x.Zip(y, (xi, yi) => a * xi + yi).ToArray();
        return (result, expected);
    }
}

/// <summary>One device for the launch and buffer tests, without disk cache or dumps.</summary>
public sealed class ClDeviceFixture : IDisposable
{
    internal ClDevice Device { get; } = ClDevice.Open(cache: ClCacheSettings.None);

    public void Dispose() => Device.Dispose();
}

/// <summary>PoCL runs kernels on every core already: the OpenCL test classes run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ClTestGroup : ICollectionFixture<ClDeviceFixture>
{
    public const string Name = "OpenCL";
}
