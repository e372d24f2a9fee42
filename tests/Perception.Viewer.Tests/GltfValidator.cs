using System.Diagnostics;
using System.Text.Json;

namespace Perception.Viewer.Tests;

/// <summary>
/// Runs Khronos's glTF-Validator (npm gltf-validator, pinned in tools/gltf-validator; ./test.sh installs it) on a
/// file and returns its report. A missing install fails the test: the validator is the peer this export is held to.
/// </summary>
internal static class GltfValidator
{
    public static JsonElement Validate(string path)
    {
        string tool = RepositoryPaths.GltfValidator;
        Assert.True(File.Exists(Path.Combine(tool, "node_modules", "gltf-validator", "package.json")),
            $"gltf-validator is not installed in {tool}: ./test.sh installs it (npm ci there).");
        var start = new ProcessStartInfo("node", [Path.Combine(tool, "validate.mjs"), path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process node = Process.Start(start)!;
        string report = node.StandardOutput.ReadToEnd();
        string errors = node.StandardError.ReadToEnd();
        node.WaitForExit();
        Assert.True(node.ExitCode is 0 or 1, $"gltf-validator could not validate {path}: {errors}");
        return JsonDocument.Parse(report).RootElement;
    }

    /// <summary>The report's messages of one severity (0 error, 1 warning, 2 info, 3 hint), one per line.</summary>
    public static string Messages(JsonElement report, int severity) => string.Join('\n',
        report.GetProperty("issues").GetProperty("messages").EnumerateArray()
            .Where(m => m.GetProperty("severity").GetInt32() == severity)
            .Select(m => $"{m.GetProperty("code")} at {m.GetProperty("pointer")}: {m.GetProperty("message")}"));
}
