using TorchSparse.Gpu.OpenCl;

namespace TorchSparse.Gpu.Tests.OpenCl;

[Collection(ClTestGroup.Name)]
public class ClKernelTests(ClDeviceFixture fixture)
{
    private readonly ClDevice device = fixture.Device;

    private ClKernel Kernel(string name) => device.GetKernel(ClTestKernels.Source, name);

    [Theory]
    [InlineData(1000)]
    [InlineData(1)]
    [InlineData(4096)]
    public void Saxpy_matches_the_CSharp_loop_bit_for_bit(int n)
    {
        (float[] result, float[] expected) = ClTestKernels.Saxpy(device, Kernel("saxpy"), n, 1.7f, seed: n);
        Assert.Equal(expected, result);
    }

    [Fact]
    public void Integer_kernel_matches_the_CSharp_loop_with_driver_chosen_work_groups()
    {
        const int n = 777;
        var random = new Random(5);
        uint[] a = Enumerable.Range(0, n).Select(_ => (uint)random.NextInt64(0, 1L << 32)).ToArray();
        uint[] b = Enumerable.Range(0, n).Select(_ => (uint)random.NextInt64(0, 1L << 32)).ToArray();
        using ClBuffer aBuffer = device.Allocate(n * sizeof(uint));
        using ClBuffer bBuffer = device.Allocate(n * sizeof(uint));
        using ClBuffer cBuffer = device.Allocate(n * sizeof(uint));
        device.Write<uint>(aBuffer, a);
        device.Write<uint>(bBuffer, b);
        ClKernel kernel = Kernel("mix_u32");
        kernel.SetArg(0, (uint)n);
        kernel.SetArg(1, aBuffer);
        kernel.SetArg(2, bBuffer);
        kernel.SetArg(3, cBuffer);
        device.Launch(kernel, [n], []);
        var c = new uint[n];
        device.Read<uint>(cBuffer, c);

        uint[] expected = Enumerable.Range(0, n)
            .Select(i => unchecked((a[i] * 2654435761u) ^ (b[i] >> 3) ^ (uint)i))
            .ToArray();
        Assert.Equal(expected, c);
    }

    [Fact]
    public void Local_memory_reduction_sums_each_work_group()
    {
        const int groups = 10;
        const int local = 64;
        var random = new Random(6);
        int[] x = Enumerable.Range(0, groups * local).Select(_ => random.Next(-1000, 1000)).ToArray();
        using ClBuffer xBuffer = device.Allocate(x.Length * sizeof(int));
        using ClBuffer sums = device.Allocate(groups * sizeof(int));
        device.Write<int>(xBuffer, x);
        ClKernel kernel = Kernel("block_sum");
        kernel.SetArg(0, xBuffer);
        kernel.SetArg(1, sums);
        kernel.SetLocalMemory(2, local * sizeof(int));
        device.Launch(kernel, [groups * local], [local]);
        var result = new int[groups];
        device.Read<int>(sums, result);
        Assert.Equal(Enumerable.Range(0, groups).Select(g => x.Skip(g * local).Take(local).Sum()), result);
    }

    [Fact]
    public void Kernels_launched_from_several_threads_keep_their_own_arguments()
    {
        // Back-to-back launches keep the window between setting arguments and enqueueing wide: without the
        // device's launch lock, some launches would run with another thread's scale or buffers.
        const int threads = 4;
        const int launches = 2000;
        var sums = new float[threads][];
        using var start = new Barrier(threads);
        void Run(int t)
        {
            using ClBuffer x = device.Allocate(64 * sizeof(float));
            using ClBuffer y = device.Allocate(64 * sizeof(float));
            device.Fill(x, 1f, 0, x.Bytes);
            device.Fill(y, 0f, 0, y.Bytes);
            ClKernel kernel = Kernel("saxpy");
            kernel.SetArg(0, 64);
            kernel.SetArg(1, t + 1f);
            kernel.SetArg(2, x);
            kernel.SetArg(3, y);
            start.SignalAndWait();
            for (int i = 0; i < launches; i++)
            {
                device.Launch(kernel, [64], [64]);
            }

            sums[t] = new float[64];
            device.Read<float>(y, sums[t]);
        }

        // Dedicated threads: the pool would start them one by one and the barrier would wait for it. An exception
        // on a raw thread would end the test process, so each is caught and rethrown here.
        var errors = new Exception?[threads];
        Thread[] workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            try
            {
                Run(t);
            }
            catch (Exception e)
            {
                errors[t] = e;
                start.RemoveParticipant();
            }
        })).ToArray();
        Array.ForEach(workers, w => w.Start());
        Array.ForEach(workers, w => w.Join());
        Assert.All(errors, Assert.Null);
        for (int t = 0; t < threads; t++)
        {
            Assert.Equal(Enumerable.Repeat(launches * (t + 1f), 64), sums[t]);
        }
    }

    [Fact]
    public void Global_size_not_a_multiple_of_local_size_is_rejected_naming_both()
    {
        ClKernel kernel = Kernel("saxpy");
        var e = Assert.Throws<ArgumentException>(() => device.Launch(kernel, [1000], [64]));
        Assert.Contains("[1000]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[64]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => device.Launch(kernel, [64, 64], [64]));
        Assert.Throws<ArgumentException>(() => device.Launch(kernel, [], []));
    }

    [Fact]
    public void Timed_launch_reports_device_nanoseconds()
    {
        const int n = 1 << 16;
        using ClBuffer x = device.Allocate(n * sizeof(float));
        using ClBuffer y = device.Allocate(n * sizeof(float));
        device.Fill(x, 1f, 0, x.Bytes);
        device.Fill(y, 2f, 0, y.Bytes);
        ClKernel kernel = Kernel("saxpy");
        kernel.SetArg(0, n);
        kernel.SetArg(1, 3f);
        kernel.SetArg(2, x);
        kernel.SetArg(3, y);
        long nanoseconds = device.LaunchTimed(kernel, [n], [64]);
        Assert.InRange(nanoseconds, 1, 10_000_000_000);
        var head = new float[4];
        device.Read<float>(y, head);
        Assert.Equal([5f, 5f, 5f, 5f], head);
    }

    [Fact]
    public void Zero_global_size_enqueues_nothing()
    {
        using ClBuffer y = device.Allocate(4);
        device.Fill(y, 7f, 0, 4);
        ClKernel kernel = Kernel("saxpy");
        kernel.SetArg(0, 1);
        kernel.SetArg(1, 3f);
        kernel.SetArg(2, y);
        kernel.SetArg(3, y);
        Assert.Equal(0, device.LaunchTimed(kernel, [0], [64]));
        var value = new float[1];
        device.Read<float>(y, value);
        Assert.Equal(7f, value[0]);
    }

    [Fact]
    public void Work_group_limits_are_reported()
    {
        ClKernel kernel = Kernel("saxpy");
        Assert.InRange(device.MaxWorkGroupSize(kernel), 1, device.Info.MaxWorkGroupSize);
        Assert.InRange(device.PreferredWorkGroupMultiple(kernel), 1, device.Info.MaxWorkGroupSize);
    }

    [Fact]
    public void Syntax_error_is_a_build_failure_with_the_log()
    {
        const string broken = "__kernel void broken(__global int* x)\n{\n    int y = ;\n}\n";
        var e = Assert.Throws<OpenClException>(() => device.GetKernel(broken, "broken"));
        Assert.Equal("CL_BUILD_PROGRAM_FAILURE", e.StatusName);
        Assert.Equal(-11, e.Status);
        Assert.Equal("clBuildProgram", e.Call);
        Assert.NotNull(e.BuildLog);
        Assert.Contains(":3:", e.BuildLog, StringComparison.Ordinal);
        Assert.Contains("error", e.BuildLog, StringComparison.Ordinal);
        Assert.Contains(e.BuildLog.Trim(), e.Message, StringComparison.Ordinal);
        // A failed build is not cached: asking again builds (and fails) again.
        Assert.Throws<OpenClException>(() => device.GetKernel(broken, "broken"));
    }

    [Fact]
    public void Unknown_kernel_name_is_the_drivers_invalid_kernel_name()
    {
        var e = Assert.Throws<OpenClException>(() => Kernel("no_such_kernel"));
        Assert.Equal("CL_INVALID_KERNEL_NAME", e.StatusName);
        Assert.Contains("'no_such_kernel'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Argument_index_out_of_range_is_invalid_arg_index()
    {
        ClKernel kernel = Kernel("saxpy");
        Assert.Equal(4, kernel.ArgCount);
        var e = Assert.Throws<OpenClException>(() => kernel.SetArg(4, 1f));
        Assert.Equal("CL_INVALID_ARG_INDEX", e.StatusName);
        Assert.Equal("clSetKernelArg", e.Call);
        Assert.Throws<OpenClException>(() => kernel.SetArg(-1, 1f));
    }

    [Fact]
    public void Argument_of_the_wrong_size_is_the_drivers_invalid_arg_size()
    {
        using ClBuffer x = device.Allocate(256);
        ClKernel kernel = Kernel("saxpy");
        kernel.SetArg(0, 64L);
        kernel.SetArg(1, 2f);
        kernel.SetArg(2, x);
        kernel.SetArg(3, x);
        var e = Assert.Throws<OpenClException>(() => device.Launch(kernel, [64], [64]));
        Assert.Equal("CL_INVALID_ARG_SIZE", e.StatusName);
        Assert.Contains("argument 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Launch_with_an_unset_argument_is_invalid_kernel_args()
    {
        using ClBuffer x = device.Allocate(256);
        ClKernel kernel = Kernel("saxpy");
        kernel.SetArg(0, 64);
        kernel.SetArg(2, x);
        kernel.SetArg(3, x);
        var e = Assert.Throws<OpenClException>(() => device.Launch(kernel, [64], [64]));
        Assert.Equal("CL_INVALID_KERNEL_ARGS", e.StatusName);
        Assert.Contains("argument 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Buffers_of_another_device_are_rejected()
    {
        using ClDevice other = ClDevice.Open(cache: ClCacheSettings.None);
        using ClBuffer foreign = other.Allocate(16);
        Assert.Throws<ArgumentException>(() => device.Write<int>(foreign, [1]));
        Assert.Throws<ArgumentException>(() => Kernel("saxpy").SetArg(2, foreign));
    }
}
