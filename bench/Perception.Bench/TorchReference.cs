using System.Diagnostics;
using System.Text.Json;

namespace Perception.Bench;

/// <summary>The PyTorch reference could not run or failed; the message says what to fix.</summary>
public class TorchReferenceException : Exception
{
    public TorchReferenceException(string message)
        : base(message)
    {
    }

    public TorchReferenceException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>The interpreter, torch or the script is missing: the reference is unavailable on this machine.</summary>
public sealed class TorchReferenceUnavailableException(string message) : TorchReferenceException(message);

/// <summary>Timings and the output of one reference run.</summary>
public sealed record TorchReferenceResult(
    string TorchVersion, int Threads, int Repeats, double MedianMs, double MinMs, double OutputChecksum,
    long Pairs, float[] Output)
{
    /// <summary>Largest |actual − reference| over the output, for comparing the engine's result.</summary>
    public double MaxAbsDifference(ReadOnlySpan<float> actual)
    {
        if (actual.Length != Output.Length)
        {
            throw new ArgumentException($"{actual.Length} values to compare with {Output.Length} reference values");
        }

        double worst = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs((double)actual[i] - Output[i]));
        }

        return worst;
    }
}

/// <summary>
/// Runs torch_gather_scatter.py under the Debian interpreter that has torch: TorchSparse's CPU gather-mm-scatter on
/// a workload, timed in PyTorch. OPENBLAS_CORETYPE is removed from the child's environment, since the preset value
/// (Haswell) would halve torch's matmul throughput on this machine.
/// </summary>
public sealed class TorchReference
{
    public const string DefaultPython = "/usr/bin/python3";
    public const string ScriptName = "torch_gather_scatter.py";
    private static readonly byte[] Magic = "TSGS"u8.ToArray();

    public TorchReference(string pythonPath = DefaultPython, string? scriptPath = null)
    {
        PythonPath = pythonPath;
        ScriptPath = scriptPath ?? Path.Combine(AppContext.BaseDirectory, ScriptName);
    }

    public string PythonPath { get; }

    /// <summary>The script; by default the copy the build puts next to this assembly.</summary>
    public string ScriptPath { get; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    public TorchReferenceResult Run(GatherScatterWorkload workload, int threads = 2, int repeats = 20, int warmup = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        if (!File.Exists(PythonPath))
        {
            throw new TorchReferenceUnavailableException(
                $"{PythonPath} does not exist; the PyTorch reference needs the Debian python3 with python3-torch.");
        }

        if (!File.Exists(ScriptPath))
        {
            throw new TorchReferenceUnavailableException(
                $"{ScriptPath} is missing; build Perception.Bench so {ScriptName} is copied next to the assembly.");
        }

        string input = Path.Combine(Path.GetTempPath(), $"torch-gs-{Guid.NewGuid():N}.bin");
        string output = Path.ChangeExtension(input, ".out");
        try
        {
            using (FileStream stream = File.Create(input))
            {
                WriteWorkload(stream, workload);
            }

            (int exitCode, string stdout, string stderr) = RunScript(input, output, threads, repeats, warmup);
            return ParseResult(exitCode, stdout, stderr, output, workload);
        }
        finally
        {
            File.Delete(input);
            File.Delete(output);
        }
    }

    /// <summary>The workload file format that torch_gather_scatter.py reads (documented in its docstring).</summary>
    public static void WriteWorkload(Stream stream, GatherScatterWorkload workload)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(1);
        writer.Write(workload.InputCount);
        writer.Write(workload.InChannels);
        writer.Write(workload.OutChannels);
        writer.Write(workload.KernelVolume);
        writer.Write(workload.OutputCount);
        // BinaryWriter is little endian on every platform, as the script expects.
        foreach (float value in workload.InputFeats)
        {
            writer.Write(value);
        }

        foreach (float value in workload.Weight)
        {
            writer.Write(value);
        }

        for (int k = 0; k < workload.KernelVolume; k++)
        {
            writer.Write(workload.InputRows[k].Length);
            foreach (int row in workload.InputRows[k])
            {
                writer.Write(row);
            }

            foreach (int row in workload.OutputRows[k])
            {
                writer.Write(row);
            }
        }
    }

    private (int ExitCode, string Stdout, string Stderr) RunScript(string input, string output, int threads,
        int repeats, int warmup)
    {
        var start = new ProcessStartInfo(PythonPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
        {
            ScriptPath, input, "--threads", threads.ToString(), "--repeats", repeats.ToString(),
            "--warmup", warmup.ToString(), "--out", output,
        })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("OPENBLAS_CORETYPE");
        using Process process = Process.Start(start)
            ?? throw new TorchReferenceUnavailableException($"could not start {PythonPath}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TorchReferenceException($"{ScriptName} did not finish within {Timeout}; it was stopped.");
        }

        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    private static TorchReferenceResult ParseResult(int exitCode, string stdout, string stderr, string outputPath,
        GatherScatterWorkload workload)
    {
        string? line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .LastOrDefault(l => l.StartsWith('{'));
        string diagnostics = stderr.Length > 2000 ? stderr[^2000..] : stderr;
        if (line is null)
        {
            throw new TorchReferenceException(
                $"{ScriptName} exited with code {exitCode} and printed no JSON result. stderr:\n{diagnostics}");
        }

        using JsonDocument json = JsonDocument.Parse(line);
        JsonElement root = json.RootElement;
        if (root.TryGetProperty("error", out JsonElement error))
        {
            string message = root.TryGetProperty("message", out JsonElement m) ? m.GetString() ?? "" : "";
            throw error.GetString() == "torch_missing"
                ? new TorchReferenceUnavailableException(message)
                : new TorchReferenceException($"{ScriptName} failed ({error.GetString()}): {message}");
        }

        if (exitCode != 0)
        {
            throw new TorchReferenceException($"{ScriptName} exited with code {exitCode}. stderr:\n{diagnostics}");
        }

        float[] output = ReadOutput(outputPath, (long)workload.OutputCount * workload.OutChannels);
        return new TorchReferenceResult(
            root.GetProperty("torch_version").GetString() ?? "unknown",
            root.GetProperty("threads").GetInt32(),
            root.GetProperty("repeats").GetInt32(),
            root.GetProperty("median_ms").GetDouble(),
            root.GetProperty("min_ms").GetDouble(),
            root.GetProperty("output_checksum").GetDouble(),
            root.GetProperty("pairs").GetInt64(),
            output);
    }

    private static float[] ReadOutput(string path, long count)
    {
        byte[] bytes = File.Exists(path) ? File.ReadAllBytes(path) : [];
        if (bytes.LongLength != count * sizeof(float))
        {
            throw new TorchReferenceException(
                $"{ScriptName} wrote {bytes.Length} output bytes; [N_out, Cout] float32 needs {count * sizeof(float)}.");
        }

        var output = new float[count];
        Buffer.BlockCopy(bytes, 0, output, 0, bytes.Length);
        return output;
    }
}
