using System.Diagnostics;
using Perception.Ros2.Dds;

namespace Perception.Ros2.Tests;

/// <summary>
/// The C peers of the DDS interop tests: peers/dds/*.idl compiled by Cyclone's <c>idlc -x final -t</c> and the small
/// C programs there built with gcc against cyclonedds-dev into the git-ignored artifacts/dds-peers (rebuilt when a
/// source is newer). They run with CYCLONEDDS_URI = <see cref="DdsConfig.LoopbackOnly"/>, like the C# side, each test
/// on a domain of its own so parallel tests never see each other.
/// </summary>
internal static class DdsPeer
{
    private static readonly string Source = Path.Combine(NodePeer.ScriptFolder, "dds");
    private static readonly string Output = Path.Combine(NodePeer.RepositoryRoot, "artifacts", "dds-peers");
    private static readonly Lazy<string> Built = new(Build);
    private static int nextDomain = 1 + (Environment.ProcessId % 50 * 4);

    /// <summary>Why the peers cannot be built here, or null. test.sh installs all three.</summary>
    public static readonly string? Unavailable =
        !File.Exists("/usr/bin/idlc") ? "idlc is not installed (apt-get install cyclonedds-tools)"
        : !File.Exists("/usr/bin/gcc") ? "gcc is not installed"
        : !File.Exists("/usr/include/dds/dds.h") ? "the Cyclone DDS headers are missing (apt-get install cyclonedds-dev)"
        : null;

    public static string Program(string name) => Path.Combine(Built.Value, name);

    /// <summary>A DDS domain no other test of this run uses.</summary>
    public static uint NextDomain() => (uint)(Interlocked.Increment(ref nextDomain) % 230);

    /// <summary>Starts <c>ros_peer</c> on <paramref name="domain"/> with loopback-only discovery.</summary>
    public static Process Start(uint domain, params string[] arguments)
    {
        var start = new ProcessStartInfo(Program("ros_peer"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["CYCLONEDDS_URI"] = DdsConfig.LoopbackOnly() },
        };
        start.ArgumentList.Add(domain.ToString());
        arguments.ToList().ForEach(start.ArgumentList.Add);
        return System.Diagnostics.Process.Start(start)!;
    }

    /// <summary>Waits for the peer, asserts exit code 0, returns its standard output.</summary>
    public static string Finish(Process peer, TimeSpan timeout)
    {
        Task<string> output = peer.StandardOutput.ReadToEndAsync();
        Task<string> error = peer.StandardError.ReadToEndAsync();
        if (!peer.WaitForExit(timeout))
        {
            peer.Kill();
            peer.WaitForExit();
            Assert.Fail($"ros_peer did not finish in {timeout}: {output.Result} {error.Result}");
        }

        Assert.True(peer.ExitCode == 0, $"ros_peer exited with {peer.ExitCode}: {error.Result}\n{output.Result}");
        return output.Result;
    }

    public static string Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        arguments.ToList().ForEach(start.ArgumentList.Add);
        using Process process = System.Diagnostics.Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{Path.GetFileName(program)} failed ({process.ExitCode}): {error.Result}");
        return output;
    }

    private static string Build()
    {
        Directory.CreateDirectory(Output);
        using var buildLock = new FileStream(Path.Combine(Output, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite,
            FileShare.None);
        string[] sources = Directory.GetFiles(Source);
        DateTime newest = sources.Max(File.GetLastWriteTimeUtc);
        string peer = Path.Combine(Output, "ros_peer"), dump = Path.Combine(Output, "descriptor_dump");
        if (File.Exists(peer) && File.Exists(dump) && File.GetLastWriteTimeUtc(peer) > newest
            && File.GetLastWriteTimeUtc(dump) > newest)
        {
            return Output;
        }

        foreach (string idl in new[] { "ros_messages.idl", "rmw_discovery.idl" })
        {
            Run("/usr/bin/idlc", "-x", "final", "-t", "-o", Output, Path.Combine(Source, idl));
        }

        string[] common = ["-O1", "-Wall", "-Werror", "-Wno-format-truncation", "-I", Output];
        Run("/usr/bin/gcc", [.. common, "-o", dump, Path.Combine(Source, "descriptor_dump.c"), "-lddsc"]);
        Run("/usr/bin/gcc", [.. common, "-o", peer, .. new[] { "ros_peer.c", "peer_dump.c", "peer_fill.c" }
            .Select(file => Path.Combine(Source, file)), Path.Combine(Output, "ros_messages.c"),
            Path.Combine(Output, "rmw_discovery.c"), "-lddsc"]);
        return Output;
    }
}

/// <summary>A fact that needs the C peers; skipped, with the reason, only when idlc, gcc or the headers are absent.
/// </summary>
internal sealed class DdsPeerFactAttribute : FactAttribute
{
    public DdsPeerFactAttribute() => Skip = DdsPeer.Unavailable;
}

/// <summary>The theory form of <see cref="DdsPeerFactAttribute"/>.</summary>
internal sealed class DdsPeerTheoryAttribute : TheoryAttribute
{
    public DdsPeerTheoryAttribute() => Skip = DdsPeer.Unavailable;
}
