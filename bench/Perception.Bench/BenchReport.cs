using System.Text;
using System.Text.Json;

namespace Perception.Bench;

/// <summary>One reported figure: a stable JSON key, its value and what it means.</summary>
public readonly record struct BenchMetric(string Key, object Value, string Unit, string Description);

/// <summary>The figures of one `perception bench` run, in the order they were measured.</summary>
public sealed class BenchReport
{
    private readonly List<BenchMetric> metrics = [];

    public IReadOnlyList<BenchMetric> Metrics => metrics;

    /// <summary>Adds a number: counts stay exact, measurements keep 5 significant digits (tiny errors too).</summary>
    public void Add(string key, double value, string unit, string description) =>
        metrics.Add(new BenchMetric(
            key, value == Math.Round(value) ? value : double.Parse(value.ToString("G5")), unit, description));

    public void Add(string key, string value, string description) =>
        metrics.Add(new BenchMetric(key, value, string.Empty, description));

    /// <summary>The value of a numeric figure already reported.</summary>
    public double Number(string key) => (double)metrics.First(m => m.Key == key).Value;

    /// <summary>One JSON object whose keys name the figures (numbers stay numbers).</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            foreach (BenchMetric m in metrics)
            {
                switch (m.Value)
                {
                    case double d:
                        json.WriteNumber(m.Key, d);
                        break;
                    default:
                        json.WriteString(m.Key, m.Value.ToString());
                        break;
                }
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
