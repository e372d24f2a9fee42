using System.Diagnostics;
using System.Text.Json;

namespace Perception.Ros2.Tests;

/// <summary>
/// Runs the committed Node.js peer scripts (peers/*.cjs) against the npm packages test.sh installs into
/// artifacts/node-peers (@mcap/core, @foxglove/rosmsg2-serialization, ...): independent implementations of MCAP and
/// ROS 2 CDR that our files and bytes must satisfy.
/// </summary>
internal static class NodePeer
{
    public static readonly string RepositoryRoot = FindRoot();

    public static readonly string ScriptFolder = Path.Combine(RepositoryRoot, "tests", "Perception.Ros2.Tests", "peers");

    public static readonly string NodeModules = Path.Combine(RepositoryRoot, "artifacts", "node-peers", "node_modules");

    /// <summary>Why the peer tests cannot run here (node is absent), or null. With node present, missing npm
    /// packages fail the tests: ./test.sh installs them, so a missing install is a broken setup, not a skip.</summary>
    public static readonly string? Unavailable = FindNode() is null ? "node is not installed (apt-get install nodejs)" : null;

    /// <summary>Runs a peer script and parses its JSON output; a failing peer fails the test with its stderr.</summary>
    public static JsonElement Run(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo(FindNode()!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["NODE_PATH"] = NodeModules },
        };
        start.ArgumentList.Add(Path.Combine(ScriptFolder, script));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{script} failed ({process.ExitCode}): {error.Result}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private static string? FindNode() => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
        .Select(folder => Path.Combine(folder, "node")).FirstOrDefault(File.Exists);

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Perception.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Perception.sln not found above the test folder.");
    }
}

/// <summary>A fact that needs the Node.js peers; skipped, with the reason, only when node or the packages are absent.
/// </summary>
internal sealed class NodePeerFactAttribute : FactAttribute
{
    public NodePeerFactAttribute() => Skip = NodePeer.Unavailable;
}

/// <summary>The theory form of <see cref="NodePeerFactAttribute"/>.</summary>
internal sealed class NodePeerTheoryAttribute : TheoryAttribute
{
    public NodePeerTheoryAttribute() => Skip = NodePeer.Unavailable;
}
