using System.Diagnostics;
using System.Text.Json;

namespace TorchSparse.Tests.Checkpoints;

/// <summary>
/// Runs a Python snippet under Debian's /usr/bin/python3, the interpreter with python3-torch (./test.sh installs it;
/// the pyenv python first on PATH has no torch), and returns the JSON it prints. Like the model fixtures, the tests
/// that use it fail rather than skip when it is missing.
/// </summary>
internal static class TorchPeer
{
    private const string Python = "/usr/bin/python3";

    // Importing torch takes a few seconds; the rest is room for a busy, shared machine.
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs <paramref name="script"/> with <paramref name="args"/> as sys.argv[1:]; its last line of output
    /// is parsed as JSON.</summary>
    public static JsonElement Run(string script, params string[] args)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: run ./test.sh, which installs Debian's python3-torch");
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"python did not finish within {Timeout}; it was stopped");
        }

        string text = output.GetAwaiter().GetResult();
        Assert.True(process.ExitCode == 0,
            $"python exited with {process.ExitCode}:\n{error.GetAwaiter().GetResult()}\n{text}");
        using JsonDocument json = JsonDocument.Parse(text.TrimEnd().Split('\n')[^1]);
        return json.RootElement.Clone();
    }
}
