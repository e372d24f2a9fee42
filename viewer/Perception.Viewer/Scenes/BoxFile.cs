using System.Globalization;
using System.Numerics;

namespace Perception.Viewer.Scenes;

/// <summary>
/// A text file of 3D boxes, one per line in OpenPCDet's order: <c>x y z dx dy dz heading [label]</c> (metres and
/// radians in the sensor frame, the centre at half height). Blank lines and lines starting with # are skipped.
/// </summary>
public static class BoxFile
{
    /// <exception cref="SceneInputException">The file cannot be read or a line is not a box.</exception>
    public static IReadOnlyList<OrientedBox> Read(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SceneInputException(path, e.Message, e);
        }

        var boxes = new List<OrientedBox>();
        for (int n = 0; n < lines.Length; n++)
        {
            string line = lines[n].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var numbers = new float[7];
            bool valid = fields.Length is 7 or 8;
            for (int i = 0; valid && i < 7; i++)
            {
                valid = float.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i])
                    && float.IsFinite(numbers[i]) && (i is < 3 or 6 || numbers[i] > 0);
            }

            if (!valid)
            {
                throw new SceneInputException(path,
                    $"line {n + 1} is not a box 'x y z dx dy dz heading [label]' with positive sizes: '{line}'");
            }

            boxes.Add(new OrientedBox(new Vector3(numbers[0], numbers[1], numbers[2]),
                new Vector3(numbers[3], numbers[4], numbers[5]), numbers[6], fields.Length == 8 ? fields[7] : null));
        }

        return boxes;
    }
}
