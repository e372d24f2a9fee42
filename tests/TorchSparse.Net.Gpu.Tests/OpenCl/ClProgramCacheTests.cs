using System.Security.Cryptography;
using System.Text;
using TorchSparse.Gpu.OpenCl;

namespace TorchSparse.Gpu.Tests.OpenCl;

/// <summary>Each test opens its own devices on its own temporary directories: never the user's cache.</summary>
[Collection(ClTestGroup.Name)]
public sealed class ClProgramCacheTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("perception-kernels-").FullName;

    private string CacheDirectory => Path.Combine(root, "cache");

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static string ExpectedKey(string source, string options) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source + "\0" + options)));

    private ClDevice OpenWithDiskCache() => ClDevice.Open(cache: new ClCacheSettings(CacheDirectory, null));

    private static void AssertSaxpyWorks(ClDevice device)
    {
        (float[] result, float[] expected) =
            ClTestKernels.Saxpy(device, device.GetKernel(ClTestKernels.Source, "saxpy"), 300, -0.5f, seed: 9);
        Assert.Equal(expected, result);
    }

    [Fact]
    public void Second_request_for_a_program_hits_memory()
    {
        using ClDevice device = ClDevice.Open(cache: ClCacheSettings.None);
        device.GetKernel(ClTestKernels.Source, "saxpy");
        device.GetKernel(ClTestKernels.Source, "saxpy");
        device.GetKernel(ClTestKernels.Source, "mix_u32");
        Assert.Equal(1, device.ProgramsBuiltFromSource);
        Assert.Equal(2, device.MemoryCacheHits);

        device.GetKernel(ClTestKernels.Source, "saxpy", "-DUNUSED=1");
        Assert.Equal(2, device.ProgramsBuiltFromSource);
        Assert.Equal(0, device.ProgramsLoadedFromDisk);
    }

    [Fact]
    public void A_second_device_loads_the_binary_from_disk()
    {
        string path;
        using (ClDevice first = OpenWithDiskCache())
        {
            first.GetKernel(ClTestKernels.Source, "saxpy");
            Assert.Equal(1, first.ProgramsBuiltFromSource);
            path = Path.Combine(CacheDirectory, first.CacheKey, ExpectedKey(ClTestKernels.Source, "") + ".bin");
        }

        Assert.True(File.Exists(path), path);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));

        using ClDevice second = OpenWithDiskCache();
        AssertSaxpyWorks(second);
        Assert.Equal(1, second.ProgramsLoadedFromDisk);
        Assert.Equal(0, second.ProgramsBuiltFromSource);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    [InlineData("driver-rejects")]
    public void A_corrupted_binary_falls_back_to_source_and_is_replaced(string corruption)
    {
        string path;
        byte[] good;
        using (ClDevice first = OpenWithDiskCache())
        {
            first.GetKernel(ClTestKernels.Source, "saxpy");
            path = first.Programs.BinaryPath(ExpectedKey(ClTestKernels.Source, ""))!;
            good = File.ReadAllBytes(path);
        }

        var random = new Random(10);
        byte[] bad = new byte[good.Length];
        random.NextBytes(bad);
        bad = corruption switch
        {
            "garbage" => bad,
            "truncated" => good[..(good.Length / 2)],
            // Our header and checksum are intact, so the driver itself must reject the payload.
            _ => [.. good.AsSpan(0, 8), .. SHA256.HashData(bad.AsSpan(40)), .. bad.AsSpan(40)],
        };
        File.WriteAllBytes(path, bad);

        using (ClDevice second = OpenWithDiskCache())
        {
            AssertSaxpyWorks(second);
            Assert.Equal(1, second.ProgramsBuiltFromSource);
            Assert.Equal(0, second.ProgramsLoadedFromDisk);
        }

        Assert.NotEqual(bad, File.ReadAllBytes(path));
        using ClDevice third = OpenWithDiskCache();
        AssertSaxpyWorks(third);
        Assert.Equal(1, third.ProgramsLoadedFromDisk);
    }

    [Fact]
    public void Dump_directory_receives_each_programs_source()
    {
        string dump = Path.Combine(root, "dump");
        using ClDevice device = ClDevice.Open(cache: new ClCacheSettings(null, dump));
        device.GetKernel(ClTestKernels.Source, "saxpy");
        device.GetKernel(ClTestKernels.Source, "saxpy", "-DUNUSED=1");

        string[] files = Directory.GetFiles(dump).Select(Path.GetFileName).Order().ToArray()!;
        string[] expected = new[] { "", "-DUNUSED=1" }
            .Select(options => ExpectedKey(ClTestKernels.Source, options) + ".cl")
            .Order()
            .ToArray();
        Assert.Equal(expected, files);
        Assert.Equal(ClTestKernels.Source, File.ReadAllText(Path.Combine(dump, expected[0])));
        Assert.False(Directory.Exists(CacheDirectory));
    }
}
