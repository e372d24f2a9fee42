using System.Runtime.InteropServices;
using System.Text.Json;

namespace Pvcnn.Tests;

/// <summary>
/// The PyTorch parity fixtures: checkpoints with random weights, a scan and the logits plain PyTorch computes for
/// it. tests/fixtures/gen_model_fixtures.py writes them (about 250 MB, so they are generated, not committed);
/// ./test.sh runs it before the tests.
/// </summary>
internal static class ModelFixtures
{
    private static readonly Lazy<string> LazyFolder = new(FindFolder);

    public static string Folder => LazyFolder.Value;

    public static string PathOf(string file) => System.IO.Path.Combine(Folder, file);

    public static float[] Scene() => ReadFloats(PathOf("scene.bin"));

    public static float[] Logits(string caseName) => ReadFloats(PathOf(caseName + ".logits.bin"));

    public static JsonElement Manifest()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(PathOf("manifest.json")));
        return doc.RootElement.Clone();
    }

    public static JsonElement Case(string caseName) =>
        Manifest().GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == caseName);

    private static float[] ReadFloats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();

    private static string FindFolder()
    {
        string? overridden = Environment.GetEnvironmentVariable("PERCEPTION_MODEL_FIXTURES");
        string folder = overridden ?? System.IO.Path.Combine(RepoRoot(), "artifacts", "fixtures", "models");
        if (!File.Exists(System.IO.Path.Combine(folder, "manifest.json")))
        {
            throw new InvalidOperationException(
                $"model parity fixtures are missing in {folder}: run ./test.sh, or "
                + "/usr/bin/python3 tests/fixtures/gen_model_fixtures.py (needs Debian's python3-torch).");
        }

        return folder;
    }

    private static string RepoRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(d.FullName, "Perception.sln")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException($"no Perception.sln above {AppContext.BaseDirectory}.");
    }
}
