using System.Runtime.Intrinsics;
using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSparse.Conv;

namespace TorchSparse.Tuning;

/// <summary>
/// Saved tuner choices: one config per layer group, valid for one machine and backend. Loading a record made on
/// another machine or backend is refused, because timings do not transfer.
/// </summary>
public sealed record TuningRecord
{
    public required string Machine { get; init; }

    public required string Backend { get; init; }

    public required Dictionary<string, ConvConfig> Groups { get; init; }

    /// <summary>What was tuned (a model file and its architecture), when the record is for one model: group keys name
    /// layer geometries only, so another model's choices would not fit.</summary>
    public string? Model { get; init; }

    /// <summary>This machine's identity: processor, core count and the vector width the kernels use.</summary>
    public static string CurrentMachine
    {
        get
        {
            string cpu = File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
                    ?.Split(':', 2)[1].Trim() ?? "unknown cpu"
                : Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER") ?? "unknown cpu";
            int bits = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 :
                Vector128.IsHardwareAccelerated ? 128 : 0;
            return $"{cpu}; {Environment.ProcessorCount} threads; simd{bits}";
        }
    }

    /// <summary>Writes atomically: a temporary file next to the target, then a rename.</summary>
    public void Save(string path)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(temp, JsonSerializer.Serialize(this, TuningJson.Default.TuningRecord));
        File.Move(temp, full, overwrite: true);
    }

    /// <summary>Loads a record, or null when the file is missing or was made for another machine, backend or (when
    /// <paramref name="model"/> is given) model.</summary>
    public static TuningRecord? Load(string path, string backend, string? model = null)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        TuningRecord? record;
        try
        {
            record = JsonSerializer.Deserialize(File.ReadAllText(path), TuningJson.Default.TuningRecord);
        }
        catch (JsonException e)
        {
            throw new SparseEngineException($"tuning file {path} is not valid: {e.Message}", e);
        }

        return record is not null && record.Machine == CurrentMachine && record.Backend == backend
            && (model is null || record.Model == model) ? record : null;
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(TuningRecord))]
internal sealed partial class TuningJson : JsonSerializerContext;
