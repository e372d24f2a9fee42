using System.Numerics;
using Perception.Viewer.Scenes;

namespace Perception.Viewer.Tests;

/// <summary>Small scenes whose pictures and files the tests know.</summary>
internal static class TestScenes
{
    /// <summary>Official SemanticKITTI classes whose palette colours are pure: traffic-sign red, other-vehicle blue.
    /// </summary>
    public const int Red = 19;
    public const int Blue = 5;

    /// <summary>Labelled points at the given positions (intensity 0.5).</summary>
    public static SceneCloud Points(params (Vector3 Position, int Class)[] points) => new("test-points",
        [.. points.SelectMany(p => new[] { p.Position.X, p.Position.Y, p.Position.Z })],
        [.. points.Select(_ => 0.5f)], [.. points.Select(p => p.Class)], 0);

    /// <summary>
    /// A street corner in miniature, the same on every run: a flat road (class 9) 30 m across, a car-sized block of
    /// points (class 1) with its box, a pole (class 18) and a wall (class 13); 4,000-odd points.
    /// </summary>
    public static Scene Street(float carHeading = 0.1f)
    {
        var points = new List<(Vector3, int)>();
        for (float x = -15; x <= 15; x += 0.5f)
        {
            for (float y = -15; y <= 15; y += 0.5f)
            {
                points.Add((new Vector3(x, y, -1.7f), 9));
            }
        }

        for (float x = 3; x <= 7; x += 0.25f)
        {
            for (float z = -1.6f; z <= -0.2f; z += 0.2f)
            {
                points.Add((new Vector3(x, 2f, z), 1));
                points.Add((new Vector3(x, 4f, z), 1));
            }
        }

        for (float z = -1.7f; z <= 3f; z += 0.1f)
        {
            points.Add((new Vector3(-4, -6, z), 18));
        }

        for (float x = -12; x <= 12; x += 0.3f)
        {
            for (float z = -1.7f; z <= 2f; z += 0.3f)
            {
                points.Add((new Vector3(x, 12, z), 13));
            }
        }

        var car = new OrientedBox(new Vector3(5, 3, -0.9f), new Vector3(4.4f, 2.2f, 1.6f), carHeading, "car");
        return SceneBuilder.Build(Points([.. points]), PointColoring.Class, [car]);
    }
}
