using System.Runtime.InteropServices;
using System.Text.Json;

namespace TorchSparse.Tests.Training;

/// <summary>Reads the PyTorch oracle cases written by tests/fixtures/gen_training_fixtures.py (one JSON per case,
/// arrays as base64 little-endian bytes).</summary>
internal static class TrainingFixture
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "training");

    public static string[] Names(string prefix) => Directory.GetFiles(Folder, prefix + "*.json")
        .Select(f => Path.GetFileNameWithoutExtension(f)!)
        .Order(StringComparer.Ordinal)
        .ToArray();

    public static TheoryData<string> Cases(string prefix)
    {
        var data = new TheoryData<string>();
        foreach (string name in Names(prefix))
        {
            data.Add(name);
        }

        return data;
    }

    public static JsonElement Load(string name)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, name + ".json")));
        return document.RootElement.Clone();
    }

    public static T[] Array<T>(JsonElement element, string property)
        where T : unmanaged => Decode<T>(element.GetProperty(property));

    public static T[] Decode<T>(JsonElement base64)
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(Convert.FromBase64String(base64.GetString()!)).ToArray();

    public static int[] Shape(JsonElement element) => element.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    /// <summary>|got - want| &lt;= abs + rel·|want|, with the index in the message.</summary>
    public static void Close(double want, double got, double rel, double abs, string what)
    {
        Assert.True(
            Math.Abs(got - want) <= abs + (rel * Math.Abs(want)),
            $"{what}: got {got:R}, want {want:R} (difference {got - want:E3}, allowed {abs + (rel * Math.Abs(want)):E3})");
    }

    public static void AllClose(
        IReadOnlyList<double> want, IReadOnlyList<double> got, double rel, double abs, string what)
    {
        Assert.Equal(want.Count, got.Count);
        for (int i = 0; i < want.Count; i++)
        {
            Close(want[i], got[i], rel, abs, $"{what}[{i}]");
        }
    }
}
