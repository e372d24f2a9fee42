namespace Perception.Datasets.Simulation;

/// <summary>A ray's return: distance, outward surface normal, and what was hit.</summary>
internal readonly record struct SurfaceHit(double T, Vec3 Normal, SemanticLabel Label, double Albedo)
{
    public static SurfaceHit None { get; } = new(double.PositiveInfinity, default, SemanticLabel.Unlabeled, 0);
}

/// <summary>
/// The ground plus the solid objects, with a coarse acceleration structure built for rays from the sensor at the
/// origin: objects are binned by the azimuth range their footprint covers, nearest first, so a ray tests only the
/// few objects in its direction and stops once the next one cannot be closer than its current hit.
/// </summary>
public sealed class UrbanScene
{
    private readonly ScenePrimitive[] primitives;
    private readonly int[] binStart;
    private readonly int[] binItems;
    private readonly double[] nearDistance;

    public UrbanScene(GroundModel ground, IReadOnlyList<ScenePrimitive> primitives, int azimuthBins = 720)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(azimuthBins, 1);
        Ground = ground;
        this.primitives = [.. primitives];
        AzimuthBins = azimuthBins;
        nearDistance = new double[this.primitives.Length];
        (binStart, binItems) = BuildBins();
    }

    public GroundModel Ground { get; }

    public IReadOnlyList<ScenePrimitive> Primitives => primitives;

    public int AzimuthBins { get; }

    /// <summary>The bin of a ray's azimuth (radians, any range).</summary>
    public int AzimuthBin(double azimuth)
    {
        double turns = azimuth / (2 * Math.PI);
        int bin = (int)Math.Floor((turns - Math.Floor(turns)) * AzimuthBins);
        return Math.Min(bin, AzimuthBins - 1);
    }

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

    /// <summary>The nearest return along a unit ray from the sensor whose azimuth lies in <paramref name="bin"/>.</summary>
    internal SurfaceHit Cast(Vec3 direction, int bin, double maxRange)
    {
        Ground.TryIntersect(direction, maxRange, out SurfaceHit best);
        double horizontal = Math.Sqrt((direction.X * direction.X) + (direction.Y * direction.Y));
        for (int at = binStart[bin]; at < binStart[bin + 1]; at++)
        {
            int index = binItems[at];
            // Items are sorted by their nearest horizontal distance, and a hit's range is at least its horizontal
            // distance over the ray's horizontal component: nothing further down the list can beat the current hit.
            if (nearDistance[index] >= best.T * horizontal)
            {
                break;
            }

            ScenePrimitive primitive = primitives[index];
            if (primitive.TryIntersect(default, direction, Math.Min(best.T, maxRange), out double t, out Vec3 normal))
            {
                best = new SurfaceHit(t, normal, primitive.Label, primitive.Albedo);
            }
        }

        return best.T < maxRange ? best : SurfaceHit.None;
    }

    private (int[] Start, int[] Items) BuildBins()
    {
        var members = new List<int>[AzimuthBins];
        for (int bin = 0; bin < AzimuthBins; bin++)
        {
            members[bin] = [];
        }

        double binWidth = 2 * Math.PI / AzimuthBins;
        for (int index = 0; index < primitives.Length; index++)
        {
            (double x, double y, double radius) = primitives[index].Footprint;
            double distance = Math.Sqrt((x * x) + (y * y));
            nearDistance[index] = Math.Max(0, distance - radius);
            if (distance <= radius * 1.0001 + 1e-9)
            {
                // The footprint surrounds the sensor's axis: every direction may hit it.
                foreach (List<int> bin in members)
                {
                    bin.Add(index);
                }

                continue;
            }

            double centre = Math.Atan2(y, x), half = Math.Asin(radius / distance) + 1e-9;
            int first = (int)Math.Floor((centre - half) / binWidth), last = (int)Math.Floor((centre + half) / binWidth);
            for (int bin = first; bin <= last; bin++)
            {
                members[((bin % AzimuthBins) + AzimuthBins) % AzimuthBins].Add(index);
            }
        }

        var start = new int[AzimuthBins + 1];
        var items = new List<int>();
        for (int bin = 0; bin < AzimuthBins; bin++)
        {
            items.AddRange(members[bin].OrderBy(i => nearDistance[i]).ThenBy(i => i));
            start[bin + 1] = items.Count;
        }

        return (start, [.. items]);
    }
}
