namespace Perception.Datasets.SemanticKitti;

/// <summary>
/// SemanticKITTI's colour of each official class 0..19 (semantic-kitti.yaml color_map of the class's raw id from
/// learning_map_inv, stored there as BGR and turned RGB here), so every picture and viewer uses one palette. Class 0
/// (unlabeled) is light grey instead of the file's black so that unlabeled points show on a black background.
/// </summary>
public static class KittiClassColors
{
    private static readonly (byte R, byte G, byte B)[] Palette =
    [
        (200, 200, 200), (100, 150, 245), (100, 230, 245), (30, 60, 150), (80, 30, 180), (0, 0, 255),
        (255, 30, 30), (255, 40, 200), (150, 30, 90), (255, 0, 255), (255, 150, 255), (75, 0, 75),
        (175, 0, 75), (255, 200, 0), (255, 120, 50), (0, 175, 0), (135, 60, 0), (150, 240, 80),
        (255, 240, 150), (255, 0, 0),
    ];

    /// <summary>The RGB colour of an official class (0 unlabeled, 1..19 the evaluated classes).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not an official class index.</exception>
    public static (byte R, byte G, byte B) Of(int officialClass) =>
        (uint)officialClass < (uint)Palette.Length ? Palette[officialClass]
            : throw new ArgumentOutOfRangeException(nameof(officialClass), officialClass, "Official classes run 0..19.");
}
