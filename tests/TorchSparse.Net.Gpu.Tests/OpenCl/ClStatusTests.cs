using System.Security.Cryptography;
using System.Text;
using TorchSparse.Gpu.OpenCl;

namespace TorchSparse.Gpu.Tests.OpenCl;

/// <summary>The parts that need no driver: status names, messages, cache settings, keys and rounding.</summary>
public class ClStatusTests
{
    [Theory]
    [InlineData(0, "CL_SUCCESS")]
    [InlineData(-1, "CL_DEVICE_NOT_FOUND")]
    [InlineData(-5, "CL_OUT_OF_RESOURCES")]
    [InlineData(-11, "CL_BUILD_PROGRAM_FAILURE")]
    [InlineData(-19, "CL_KERNEL_ARG_INFO_NOT_AVAILABLE")]
    [InlineData(-30, "CL_INVALID_VALUE")]
    [InlineData(-52, "CL_INVALID_KERNEL_ARGS")]
    [InlineData(-54, "CL_INVALID_WORK_GROUP_SIZE")]
    [InlineData(-63, "CL_INVALID_GLOBAL_WORK_SIZE")]
    [InlineData(-72, "CL_MAX_SIZE_RESTRICTION_EXCEEDED")]
    [InlineData(-1001, "CL_PLATFORM_NOT_FOUND_KHR")]
    public void Known_status_codes_have_their_header_names(int status, string name) =>
        Assert.Equal(name, ClStatus.Name(status));

    [Theory]
    [InlineData(-1234)]
    [InlineData(-20)]
    [InlineData(-29)]
    [InlineData(-73)]
    [InlineData(1)]
    public void Unknown_status_codes_print_the_number(int status) =>
        Assert.Equal($"unknown status {status}", ClStatus.Name(status));

    [Fact]
    public void Every_code_from_minus_72_to_0_outside_the_gap_has_a_distinct_name()
    {
        var codes = Enumerable.Range(-72, 73).Where(c => c is >= -19 or <= -30).ToList();
        var names = codes.Select(ClStatus.Name).ToList();
        Assert.All(names, n => Assert.StartsWith("CL_", n, StringComparison.Ordinal));
        Assert.Equal(codes.Count, names.Distinct().Count());
    }

    [Fact]
    public void Exception_message_names_call_status_and_kernel()
    {
        var e = new OpenClException(-54, "clEnqueueNDRangeKernel", "implicit_gemm_f32_m64");
        Assert.Equal(
            "clEnqueueNDRangeKernel failed: CL_INVALID_WORK_GROUP_SIZE (-54) for kernel 'implicit_gemm_f32_m64'",
            e.Message);
        Assert.Equal(-54, e.Status);
        Assert.Equal("CL_INVALID_WORK_GROUP_SIZE", e.StatusName);
        Assert.Equal("clEnqueueNDRangeKernel", e.Call);
        Assert.Null(e.BuildLog);
    }

    [Fact]
    public void Build_failure_message_carries_the_log()
    {
        var e = new OpenClException(-11, "clBuildProgram", "k", "<source>:2:11: error: expected expression\n");
        Assert.StartsWith("clBuildProgram failed: CL_BUILD_PROGRAM_FAILURE (-11) for kernel 'k'", e.Message,
            StringComparison.Ordinal);
        Assert.Contains("<source>:2:11: error: expected expression", e.Message, StringComparison.Ordinal);
        Assert.Equal("<source>:2:11: error: expected expression\n", e.BuildLog);
    }

    [Fact]
    public void Unavailable_message_says_what_to_install()
    {
        var e = new OpenClUnavailableException("libOpenCL.so.1 could not be loaded");
        Assert.Contains("libOpenCL.so.1 could not be loaded", e.Message, StringComparison.Ordinal);
        Assert.Contains("pocl-opencl-icd", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/tmp/k", null, "/tmp/k")]
    [InlineData("off", "/xdg", null)]
    [InlineData(null, "/xdg", "/xdg/perception/kernels")]
    [InlineData("", "", "/home/u/.cache/perception/kernels")]
    [InlineData(null, null, "/home/u/.cache/perception/kernels")]
    public void Cache_directory_follows_the_environment(string? cache, string? xdg, string? expected)
    {
        var environment = new Dictionary<string, string?>
        {
            ["PERCEPTION_KERNEL_CACHE"] = cache,
            ["XDG_CACHE_HOME"] = xdg,
            ["PERCEPTION_DUMP_KERNELS"] = "/tmp/dump",
        };
        ClCacheSettings settings = ClCacheSettings.Resolve(name => environment.GetValueOrDefault(name), "/home/u");
        Assert.Equal(expected, settings.KernelCacheDirectory);
        Assert.Equal("/tmp/dump", settings.DumpDirectory);
    }

    [Fact]
    public void No_home_and_no_variables_means_no_disk_cache_and_no_dumps()
    {
        ClCacheSettings settings = ClCacheSettings.Resolve(_ => null, "");
        Assert.Null(settings.KernelCacheDirectory);
        Assert.Null(settings.DumpDirectory);
    }

    [Fact]
    public void Program_key_is_sha256_of_source_nul_options()
    {
        string expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("kernel src\0-DX=1")));
        Assert.Equal(expected, ClProgramCache.Key("kernel src", "-DX=1"));
        Assert.NotEqual(ClProgramCache.Key("ab", "c"), ClProgramCache.Key("a", "bc"));
    }

    [Theory]
    [InlineData(0, 64, 0)]
    [InlineData(1, 64, 64)]
    [InlineData(64, 64, 64)]
    [InlineData(1000, 64, 1024)]
    [InlineData(1000, 7, 1001)]
    public void RoundUp_gives_the_next_multiple(long value, long multiple, long expected) =>
        Assert.Equal(expected, ClDevice.RoundUp(value, multiple));

    [Fact]
    public void RoundUp_rejects_a_zero_multiple() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ClDevice.RoundUp(10, 0));
}
