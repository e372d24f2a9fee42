using System.Globalization;

namespace Perception.Datasets.SemanticKitti;

/// <summary>
/// The SemanticKITTI sequence splits (semantic-kitti-api config/semantic-kitti.yaml, also spvnas's): sequences are
/// named as their folders, two digits.
/// </summary>
public static class KittiSplit
{
    /// <summary>Training: 00–07, 09, 10.</summary>
    public static IReadOnlyList<string> Train { get; } = ["00", "01", "02", "03", "04", "05", "06", "07", "09", "10"];

    /// <summary>Validation: 08.</summary>
    public static IReadOnlyList<string> Valid { get; } = ["08"];

    /// <summary>Test: 11–21, whose labels are not public.</summary>
    public static IReadOnlyList<string> Test { get; } =
        ["11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "21"];

    /// <summary>
    /// The sequences of <c>train</c>, <c>valid</c> or <c>test</c>, or of a comma list of sequence numbers
    /// (<c>8</c>, <c>08,09</c>), formatted as folder names.
    /// </summary>
    /// <exception cref="ArgumentException">Neither a split name nor a list of numbers 0..99, or a number
    /// repeats.</exception>
    public static IReadOnlyList<string> Parse(string split)
    {
        switch (split.Trim().ToLowerInvariant())
        {
            case "train":
                return Train;
            case "valid":
                return Valid;
            case "test":
                return Test;
        }

        var sequences = new List<string>();
        foreach (string item in split.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number > 99)
            {
                throw new ArgumentException(
                    $"'{split}' is not train, valid, test or a comma list of sequence numbers (00..99).");
            }

            string name = number.ToString("00", CultureInfo.InvariantCulture);
            if (sequences.Contains(name))
            {
                throw new ArgumentException($"'{split}' names sequence {name} twice.");
            }

            sequences.Add(name);
        }

        return sequences;
    }
}
