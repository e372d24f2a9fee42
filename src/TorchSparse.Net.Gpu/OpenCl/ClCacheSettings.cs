namespace TorchSparse.Gpu.OpenCl;

/// <summary>
/// Where compiled programs are cached and kernel sources dumped; null turns either off. Tests pass their own so they
/// never touch the user's cache or race on environment variables.
/// </summary>
internal sealed record ClCacheSettings(string? KernelCacheDirectory, string? DumpDirectory)
{
    public static ClCacheSettings None { get; } = new(null, null);

    /// <summary>PERCEPTION_KERNEL_CACHE (a directory, or "off"), else XDG_CACHE_HOME, else ~/.cache; and
    /// PERCEPTION_DUMP_KERNELS for the dump directory.</summary>
    public static ClCacheSettings FromEnvironment() =>
        Resolve(Environment.GetEnvironmentVariable,
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    internal static ClCacheSettings Resolve(Func<string, string?> environment, string home)
    {
        string? cache = NonEmpty(environment("PERCEPTION_KERNEL_CACHE"));
        string? directory = cache switch
        {
            "off" => null,
            not null => cache,
            _ when NonEmpty(environment("XDG_CACHE_HOME")) is { } xdg => Path.Combine(xdg, "perception", "kernels"),
            // Without a home directory a relative path would land in the working directory: no disk cache instead.
            _ when home.Length > 0 => Path.Combine(home, ".cache", "perception", "kernels"),
            _ => null,
        };
        return new ClCacheSettings(directory, NonEmpty(environment("PERCEPTION_DUMP_KERNELS")));
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
