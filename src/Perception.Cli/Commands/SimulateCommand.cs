using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Perception.Datasets.Simulation;
using Spectre.Console;

namespace Perception.Cli.Commands;

/// <summary>`perception simulate`: simulated drives written as a SemanticKITTI dataset.</summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Dataset root; sequences go to <out>/sequences/NN.", Required = true };
        var sequences = new Option<string>("--sequences")
        {
            Description = "Comma-separated two-digit sequence numbers, e.g. 00,08.",
            DefaultValueFactory = _ => "00",
        };
        var scans = new Option<int>("--scans") { Description = "Scans per sequence (10 Hz, one metre apart).", DefaultValueFactory = _ => 100 };
        var seed = new Option<int>("--seed") { Description = "World seed; sequence NN drives the world of seed + NN.", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "CPU threads (default: all); the files are the same for any count.", DefaultValueFactory = _ => 0 };
        var azimuthStep = new Option<double>("--azimuth-step")
        {
            Description = "Horizontal step in degrees, 0.05 to 2. Default 0.176 (2048 columns): KITTI's 10 Hz scans, about 120k "
                + "points. 0.08-0.09 is the HDL-64E's finest step (its 5 Hz mode): about 2.2x the points and half the speed.",
            DefaultValueFactory = _ => 360.0 / LidarSensorConfig.Hdl64E.AzimuthColumns,
        };
        var command = new Command("simulate", "Simulate 64-beam LiDAR drives through generated streets; write a SemanticKITTI-format dataset.")
        {
            output, sequences, scans, seed, threads, azimuthStep,
        };
        command.SetAction(parse => CliErrors.Run(() => Run(parse.GetValue(output)!, ParseSequences(parse.GetValue(sequences)!),
            parse.GetValue(scans), parse.GetValue(seed), parse.GetValue(threads), Sensor(parse.GetValue(azimuthStep)))));
        return command;
    }

    /// <summary>"00,08" → [0, 8]; anything but distinct two-digit numbers is refused.</summary>
    internal static int[] ParseSequences(string text)
    {
        string[] names = text.Split(',', StringSplitOptions.TrimEntries);
        foreach (string name in names)
        {
            if (name.Length != 2 || !char.IsAsciiDigit(name[0]) || !char.IsAsciiDigit(name[1]))
            {
                throw new ArgumentException($"--sequences: '{name}' is not a two-digit sequence number (like 00 or 08).");
            }
        }

        int[] numbers = [.. names.Select(n => int.Parse(n, CultureInfo.InvariantCulture))];
        return numbers.Distinct().Count() == numbers.Length
            ? numbers
            : throw new ArgumentException($"--sequences: '{text}' names a sequence twice.");
    }

    /// <summary>The HDL-64E with <paramref name="step"/> degrees between azimuth columns (rounded to whole columns).</summary>
    internal static LidarSensorConfig Sensor(double step) => step is >= 0.05 and <= 2
        ? LidarSensorConfig.Hdl64E with { AzimuthColumns = (int)Math.Round(360 / step) }
        : throw new ArgumentException($"--azimuth-step: {step.ToString(CultureInfo.InvariantCulture)} degrees is outside 0.05 to 2.");

    private static int Run(string root, int[] sequences, int scans, int seed, int threads, LidarSensorConfig sensor)
    {
        if (scans <= 0)
        {
            throw new ArgumentException($"--scans: a sequence needs at least one scan, not {scans}.");
        }

        if (threads < 0)
        {
            throw new ArgumentException($"--threads: {threads} is negative (0 means all cores).");
        }

        // Every folder is made and probed before any scan is cast: a bad --out fails at once, not after minutes.
        string[] folders = [.. sequences.Select(s => Path.Combine(root, "sequences", s.ToString("D2", CultureInfo.InvariantCulture)))];
        foreach (string folder in folders)
        {
            Directory.CreateDirectory(folder);
            string probe = Path.Combine(folder, $".write-probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }

        long start = Stopwatch.GetTimestamp();
        long points = 0;
        AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
            new RemainingTimeColumn()).Start(progress =>
        {
            for (int i = 0; i < sequences.Length; i++)
            {
                ProgressTask task = progress.AddTask($"sequence {sequences[i]:D2}: {scans} scans", maxValue: scans);
                var drive = new SimulatedDrive(unchecked(seed + sequences[i]), scans, sensor)
                {
                    MaxDegreeOfParallelism = threads > 0 ? threads : -1,
                };
                points += drive.WriteSequence(folders[i], written => task.Value = written);
            }
        });
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        foreach (string folder in folders)
        {
            WarnAboutStaleScans(folder, scans);
        }

        int total = scans * sequences.Length;
        AnsiConsole.MarkupLine(
            $"{total} scans ({points:N0} points, SemanticKITTI raw labels) in {seconds:F1} s ([bold]{total / seconds:F1} scans/s[/]): "
            + $"{Markup.Escape(Path.GetFullPath(Path.Combine(root, "sequences")))}");
        return 0;
    }

    /// <summary>Scans left from an earlier, longer run are not deleted (they are the user's files), but named.</summary>
    private static void WarnAboutStaleScans(string folder, int scans)
    {
        int stale = Directory.EnumerateFiles(Path.Combine(folder, "velodyne"), "*.bin")
            .Count(f => !int.TryParse(Path.GetFileNameWithoutExtension(f), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
                || index >= scans);
        if (stale > 0)
        {
            AnsiConsole.MarkupLine(
                $"[yellow]warning:[/] {Markup.Escape(folder)}/velodyne holds {stale} other scans from an earlier run; "
                + $"poses.txt covers only the {scans} just written.");
        }
    }
}
