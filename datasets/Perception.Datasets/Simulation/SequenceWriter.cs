using System.Globalization;
using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Simulation;

/// <summary>Writes a <see cref="SimulatedDrive"/> in the SemanticKITTI layout (see its WriteSequence).</summary>
internal static class SequenceWriter
{
    public static long Write(SimulatedDrive drive, string folder, Action<int>? scanWritten, CancellationToken cancel)
    {
        string velodyne = Directory.CreateDirectory(Path.Combine(folder, "velodyne")).FullName;
        string labels = Directory.CreateDirectory(Path.Combine(folder, "labels")).FullName;
        // Casting uses every core; the writes wait on the disk. Overlapping them keeps both busy.
        long points = 0;
        Task<LidarScan> next = Task.Run(() => drive.Scan(0), cancel);
        try
        {
            for (int i = 0; i < drive.ScanCount; i++)
            {
                cancel.ThrowIfCancellationRequested();
                LidarScan scan = next.GetAwaiter().GetResult();
                if (i + 1 < drive.ScanCount)
                {
                    int following = i + 1;
                    next = Task.Run(() => drive.Scan(following), cancel);
                }

                string name = i.ToString("D6", CultureInfo.InvariantCulture);
                KittiScanFile.Write(Path.Combine(velodyne, name + ".bin"), scan.Points);
                KittiLabelFile.Write(Path.Combine(labels, name + ".label"), scan.RawLabels);
                points += scan.Count;
                scanWritten?.Invoke(i + 1);
            }
        }
        finally
        {
            // A failed write leaves at most one scan being cast; let it finish rather than run on unobserved.
            if (!next.IsCompleted)
            {
                ((IAsyncResult)next).AsyncWaitHandle.WaitOne();
            }
        }

        KittiCalibration calibration = SimulatedDrive.Calibration;
        calibration.Write(Path.Combine(folder, "calib.txt"));
        KittiPoseFile.Write(Path.Combine(folder, "poses.txt"),
            Enumerable.Range(0, drive.ScanCount).Select(i => calibration.ToCameraPose(drive.Pose(i))));
        KittiTimesFile.Write(Path.Combine(folder, "times.txt"),
            Enumerable.Range(0, drive.ScanCount).Select(drive.Time));
        return points;
    }
}
