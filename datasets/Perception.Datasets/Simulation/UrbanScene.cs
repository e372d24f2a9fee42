namespace Perception.Datasets.Simulation;

/// <summary>A ray's return: distance, outward normal, the .label value of what was hit, and its albedo.</summary>
internal readonly record struct SurfaceHit(double T, Vec3 Normal, uint Label, double Albedo)
{
    public static SurfaceHit None { get; } = new(double.PositiveInfinity, default, 0, 0);
}

/// <summary>
/// The world at one instant, in the world frame (the first scan's sensor frame): the ground plus the solid
/// objects, moving ones where they are at that time.
/// </summary>
public sealed class UrbanScene(GroundModel ground, IReadOnlyList<ScenePrimitive> primitives)
{
    private readonly ScenePrimitive[] primitives = [.. primitives];

    public GroundModel Ground { get; } = ground;

    public IReadOnlyList<ScenePrimitive> Primitives => primitives;

    /// <summary>
    /// Distance from a point to the nearest surface that carries <paramref name="label"/>: the ground regions for
    /// ground classes, otherwise the closest object of that class (absolute signed distance).
    /// </summary>
    public double SurfaceDistance(SemanticLabel label, Vec3 point)
    {
        double distance = Ground.SurfaceDistance(label, point);
        foreach (ScenePrimitive primitive in primitives)
        {
            if (primitive.Label == label)
            {
                distance = Math.Min(distance, Math.Abs(primitive.SignedDistance(point)));
            }
        }

        return distance;
    }
}
