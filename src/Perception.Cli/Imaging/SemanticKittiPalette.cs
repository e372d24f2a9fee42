namespace Perception.Cli.Imaging;

/// <summary>SemanticKITTI's class colours (its label configuration's color_map, BGR turned RGB) by official train id: 0 unlabeled,
/// 1 car ... 19 traffic-sign. Shared by the bird's-eye pictures and the ROS node's packed <c>rgb</c> field.</summary>
internal static class SemanticKittiPalette
{
    private static readonly (byte R, byte G, byte B)[] Colours =
    [
        (200, 200, 200), (100, 150, 245), (100, 230, 245), (30, 60, 150), (80, 30, 180), (0, 0, 255),
        (255, 30, 30), (255, 40, 200), (150, 30, 90), (255, 0, 255), (255, 150, 255), (75, 0, 75),
        (175, 0, 75), (255, 200, 0), (255, 120, 50), (0, 175, 0), (135, 60, 0), (150, 240, 80),
        (255, 240, 150), (255, 0, 0),
    ];

    /// <summary>The colour of <paramref name="trainId"/> (clamped to 0..19).</summary>
    public static (byte R, byte G, byte B) Colour(int trainId) => Colours[Math.Clamp(trainId, 0, Colours.Length - 1)];
}
