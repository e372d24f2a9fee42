using System.Text.Json;
using System.Text.Unicode;
using TorchSparse;

namespace Pvcnn;

/// <summary>
/// An SPVNAS subnet description in the spvnas model-zoo schema (<c>net.config</c>): num_classes, pres, vres,
/// output_channels and one entry per searchable module (transition widths, stage depths, middle widths, point
/// transforms). The checkpoint's tensor shapes are authoritative; the config is checked against them.
/// </summary>
public sealed class SpvnasConfig
{
    private readonly Dictionary<string, int?> entries;

    private SpvnasConfig(string source, int classes, double pres, double vres, int[] outputChannels, Dictionary<string, int?> entries)
    {
        Source = source;
        NumClasses = classes;
        PointResolution = pres;
        VoxelResolution = vres;
        OutputChannels = outputChannels;
        this.entries = entries;
    }

    public string Source { get; }

    public int NumClasses { get; }

    /// <summary>pres: the point resolution in metres.</summary>
    public double PointResolution { get; }

    /// <summary>vres: the voxel size in metres the scan is quantized with.</summary>
    public double VoxelResolution { get; }

    /// <summary>Widths of the stem and the eight stages.</summary>
    public IReadOnlyList<int> OutputChannels { get; }

    /// <summary>Reads a net.config file.</summary>
    /// <exception cref="ModelLoadException">Not UTF-8 JSON, or a field is missing, has the wrong type or is out of
    /// range (num_classes a positive int32; pres and vres positive metres that fit a float).</exception>
    public static SpvnasConfig Load(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        // JsonDocument checks UTF-8 only where it decodes a string, and then throws InvalidOperationException.
        if (!Utf8.IsValid(bytes))
        {
            throw new ModelLoadException($"'{path}' is not valid UTF-8.");
        }

        try
        {
            using JsonDocument doc = JsonDocument.Parse(bytes);
            return Parse(doc.RootElement, path);
        }
        catch (JsonException e)
        {
            throw new ModelLoadException($"'{path}' is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Checks every searched width and depth against the model built from the checkpoint.</summary>
    /// <exception cref="ModelLoadException">The first disagreement, naming the config key and both values.</exception>
    public void Verify(Spvnas model, IReadOnlyDictionary<string, Tensor> stateDict)
    {
        Expect("num_classes", NumClasses, model.Classes);
        for (int s = 0; s < 9; s++)
        {
            Expect($"output_channels[{s}]", OutputChannels[s], model.StageWidths[s]);
        }

        for (int stage = 0; stage < 8; stage++)
        {
            string name = stage < 4 ? $"downsample.{stage}" : $"upsample.{stage - 4}";
            Expect($"{name}.feature", Entry($"{name}.feature"), model.Depths[stage]);
            Expect($"{name}.transition", Entry($"{name}.transition"), Width(stateDict, $"{name}.transition.net.conv.kernel"));
            for (int block = 0; block < model.Depths[stage]; block++)
            {
                string key = $"{name}.feature.layers.{block}.net.layers.0";
                Expect(key, Entry(key), Width(stateDict, $"{name}.feature.{block}.net.0.net.conv.kernel"));
            }
        }

        for (int k = 0; k < 3; k++)
        {
            Expect($"point_transforms.{k}", Entry($"point_transforms.{k}"),
                Weight(stateDict, $"point_transforms.{k}.net.conv.weight").Size(0));
        }
    }

    private static int Width(IReadOnlyDictionary<string, Tensor> sd, string key) =>
        Weight(sd, key).Size(Weight(sd, key).Rank - 1);

    private static Tensor Weight(IReadOnlyDictionary<string, Tensor> sd, string key) =>
        sd.TryGetValue(key, out Tensor? tensor) && tensor.Rank > 0
            ? tensor
            : throw new ModelLoadException($"the state dict has no tensor '{key}' to check the config against.");

    private int Entry(string key) => entries.TryGetValue(key, out int? value) && value is int v
        ? v
        : throw new ModelLoadException($"'{Source}' has no value for '{key}'.");

    private void Expect(string key, int configured, int actual)
    {
        if (configured != actual)
        {
            throw new ModelLoadException(
                $"'{Source}' says {key} = {configured} but the checkpoint's tensors give {actual}.");
        }
    }

    private static SpvnasConfig Parse(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ModelLoadException($"'{path}' must hold a JSON object.");
        }

        int[] outputs = Field(root, "output_channels", path, JsonValueKind.Array).EnumerateArray()
            .Select(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v) && v > 0
                ? v
                : throw new ModelLoadException($"'{path}': output_channels must hold positive integers."))
            .ToArray();
        if (outputs.Length != 9)
        {
            throw new ModelLoadException($"'{path}': output_channels has {outputs.Length} entries, expected 9.");
        }

        var entries = new Dictionary<string, int?>(StringComparer.Ordinal);
        foreach (JsonProperty p in root.EnumerateObject())
        {
            entries[p.Name] = p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out int v) ? v : null;
        }

        return new SpvnasConfig(
            path,
            Field(root, "num_classes", path, JsonValueKind.Number).TryGetInt32(out int classes) && classes > 0
                ? classes
                : throw new ModelLoadException($"'{path}': num_classes must be a positive integer."),
            Resolution(root, "pres", path),
            Resolution(root, "vres", path),
            outputs,
            entries);
    }

    /// <summary>A resolution in metres; it becomes the model's float voxel size, so it must stay positive and finite
    /// as a float too (1e-50 would round to 0, 1e300 to infinity).</summary>
    private static double Resolution(JsonElement root, string name, string path) =>
        Field(root, name, path, JsonValueKind.Number).TryGetDouble(out double metres)
            && (float)metres > 0 && float.IsFinite((float)metres)
            ? metres
            : throw new ModelLoadException(
                $"'{path}': {name} must be a positive number of metres that fits a float; got " +
                $"{root.GetProperty(name).GetRawText()}.");

    private static JsonElement Field(JsonElement root, string name, string path, JsonValueKind kind) =>
        root.TryGetProperty(name, out JsonElement e) && e.ValueKind == kind
            ? e
            : throw new ModelLoadException($"'{path}': field '{name}' is missing or not a {kind.ToString().ToLowerInvariant()}.");
}
