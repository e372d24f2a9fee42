using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace TorchSparse.Gpu.OpenCl;

/// <summary>
/// Built programs of one device, keyed by SHA-256 of (source, NUL, build options): in memory for the device's
/// lifetime, and on disk across processes as <c>&lt;dir&gt;/&lt;CacheKey&gt;/&lt;sha&gt;.bin</c>. A disk binary that
/// fails any check or any driver call is ignored and replaced by a fresh build from source. One cl_kernel per
/// (program, name) is kept; <see cref="ClDevice"/> sets its arguments and enqueues it under one lock.
/// </summary>
internal sealed class ClProgramCache : IDisposable
{
    // Our header in front of the driver's binary: a truncated or garbled file is caught here, before a driver that
    // trusts its input gets to parse it.
    private static ReadOnlySpan<byte> Magic => "PCLBIN1\n"u8;

    private const int HeaderBytes = 8 + 32;

    private readonly ClContextHandle context;
    private readonly nint device;
    private readonly string? binaryDirectory;
    private readonly string? dumpDirectory;
    private readonly ConcurrentDictionary<string, Lazy<ClProgramHandle>> programs = new();
    private readonly Dictionary<(string Key, string Name), ClKernelEntry> kernels = [];
    private readonly Lock kernelLock = new();
    private long builtFromSource;
    private long loadedFromDisk;
    private long memoryHits;

    public ClProgramCache(ClContextHandle context, nint device, string cacheKey, ClCacheSettings settings)
    {
        this.context = context;
        this.device = device;
        binaryDirectory = settings.KernelCacheDirectory is { } root ? Path.Combine(root, cacheKey) : null;
        dumpDirectory = settings.DumpDirectory;
    }

    public long BuiltFromSource => Interlocked.Read(ref builtFromSource);

    public long LoadedFromDisk => Interlocked.Read(ref loadedFromDisk);

    public long MemoryHits => Interlocked.Read(ref memoryHits);

    /// <summary>The cache's name for a program: lower-case hex SHA-256 of source, a NUL, and the options.</summary>
    public static string Key(string source, string options)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(source));
        hash.AppendData([0]);
        hash.AppendData(Encoding.UTF8.GetBytes(options));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The path a program's binary is cached at, or null when the disk cache is off.</summary>
    public string? BinaryPath(string key) =>
        binaryDirectory is null ? null : Path.Combine(binaryDirectory, key + ".bin");

    public ClKernelEntry GetKernel(string source, string kernelName, string options)
    {
        string key = Key(source, options);
        ClProgramHandle program = GetProgram(key, source, options, kernelName);
        lock (kernelLock)
        {
            if (!kernels.TryGetValue((key, kernelName), out ClKernelEntry? entry))
            {
                entry = ClKernelEntry.Create(program, kernelName);
                kernels.Add((key, kernelName), entry);
            }

            return entry;
        }
    }

    public void Dispose()
    {
        lock (kernelLock)
        {
            foreach (ClKernelEntry entry in kernels.Values)
            {
                entry.Handle.Dispose();
            }

            kernels.Clear();
        }

        foreach (Lazy<ClProgramHandle> program in programs.Values)
        {
            if (program.IsValueCreated)
            {
                program.Value.Dispose();
            }
        }

        programs.Clear();
    }

    private ClProgramHandle GetProgram(string key, string source, string options, string kernelName)
    {
        if (programs.TryGetValue(key, out Lazy<ClProgramHandle>? cached))
        {
            Interlocked.Increment(ref memoryHits);
            return cached.Value;
        }

        // Lazy makes concurrent first requests for one program wait for a single build; distinct programs still
        // build in parallel.
        var mine = new Lazy<ClProgramHandle>(() => Create(key, source, options, kernelName));
        Lazy<ClProgramHandle> lazy = programs.GetOrAdd(key, mine);
        if (!ReferenceEquals(lazy, mine))
        {
            Interlocked.Increment(ref memoryHits);
        }

        try
        {
            return lazy.Value;
        }
        catch
        {
            // Lazy would rethrow the same failure forever; a later request should try again.
            programs.TryRemove(new KeyValuePair<string, Lazy<ClProgramHandle>>(key, lazy));
            throw;
        }
    }

    private ClProgramHandle Create(string key, string source, string options, string kernelName)
    {
        // Unlike the binary cache, the dump was asked for explicitly: failing to write it is an error.
        if (dumpDirectory is not null)
        {
            AtomicWrite(Path.Combine(dumpDirectory, key + ".cl"), Encoding.UTF8.GetBytes(source), []);
        }

        string? path = BinaryPath(key);
        if (path is not null && TryLoad(path, options) is { } loaded)
        {
            Interlocked.Increment(ref loadedFromDisk);
            return loaded;
        }

        ClProgramHandle program = ClProgramBuilder.FromSource(context, device, source, options, kernelName);
        Interlocked.Increment(ref builtFromSource);
        if (path is not null)
        {
            Store(path, program);
        }

        return program;
    }

    private ClProgramHandle? TryLoad(string path, string options)
    {
        byte[] file;
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            file = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (file.Length <= HeaderBytes || !file.AsSpan(0, Magic.Length).SequenceEqual(Magic)
            || !SHA256.HashData(file.AsSpan(HeaderBytes)).AsSpan().SequenceEqual(file.AsSpan(Magic.Length, 32)))
        {
            return null;
        }

        return ClProgramBuilder.FromBinary(context, device, file.AsSpan(HeaderBytes), options);
    }

    // Best effort: a read-only or full disk costs a rebuild next time, never a failed launch.
    private static void Store(string path, ClProgramHandle program)
    {
        try
        {
            byte[] binary = ClProgramBuilder.Binary(program);
            if (binary.Length == 0)
            {
                return;
            }

            AtomicWrite(path, [.. Magic, .. SHA256.HashData(binary)], binary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OpenClException)
        {
            Trace.TraceWarning($"OpenCL program cache: could not write {path}: {e.Message}");
        }
    }

    /// <summary>Writes to a unique temporary file and renames it over the target, so a reader in another process
    /// sees the old file or the new one, never half of one.</summary>
    private static void AtomicWrite(string path, ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(header);
                stream.Write(body);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
