using System.Text.Json;
using Perception.Datasets.IO;

namespace Perception.Datasets.Evaluation;

/// <summary>One evaluated class: its index in the learning map, name, IoU in [0, 1] and the counts behind it.</summary>
public sealed record ClassIou(int ClassIndex, string Name, double Iou, long TruePositives, long FalsePositives,
    long FalseNegatives);

/// <summary>
/// The scores of a confusion matrix under one <see cref="IouVariant"/>: IoU of every non-ignored class, their mean,
/// the accuracy, and how many scans and evaluated points (ground truth not ignored) went in.
/// </summary>
public sealed record IouReport(IouVariant Variant, IReadOnlyList<ClassIou> Classes, double MeanIou, double Accuracy,
    long Scans, long EvaluatedPoints)
{
    /// <summary>Frames left out because a file was missing (set by the caller; written to the JSON).</summary>
    public int SkippedFrames { get; init; }

    /// <summary>
    /// Writes the report as JSON, atomically (temporary file, then rename): variant, miou, accuracy, scans,
    /// skipped_frames, evaluated_points, and classes [{index, name, iou, tp, fp, fn}].
    /// </summary>
    public void WriteJson(string path)
    {
        using AtomicFile file = AtomicFile.Create(path);
        using (var json = new Utf8JsonWriter(file.Stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("variant", Variant == IouVariant.Spvnas ? "spvnas" : "official");
            json.WriteNumber("miou", MeanIou);
            json.WriteNumber("accuracy", Accuracy);
            json.WriteNumber("scans", Scans);
            json.WriteNumber("skipped_frames", SkippedFrames);
            json.WriteNumber("evaluated_points", EvaluatedPoints);
            json.WriteStartArray("classes");
            foreach (ClassIou c in Classes)
            {
                json.WriteStartObject();
                json.WriteNumber("index", c.ClassIndex);
                json.WriteString("name", c.Name);
                json.WriteNumber("iou", c.Iou);
                json.WriteNumber("tp", c.TruePositives);
                json.WriteNumber("fp", c.FalsePositives);
                json.WriteNumber("fn", c.FalseNegatives);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        file.Commit();
    }
}
