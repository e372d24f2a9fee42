namespace Perception.Datasets.Simulation;

/// <summary>
/// A scene seen from one sensor position: the objects within range, binned by the azimuth range their footprint
/// covers from there, nearest first, so a ray tests only the few objects in its direction and stops once the next
/// one cannot be closer than its current hit.
/// </summary>
internal sealed class SceneView
{
    private const int AzimuthBins = 720;
    private readonly GroundModel ground;
    private readonly Vec3 origin;
    private readonly ScenePrimitive[] primitives;
    private readonly double[] nearDistance;
    private readonly int[] binStart;
    private readonly int[] binItems;

    public SceneView(UrbanScene scene, Vec3 origin, double maxRange)
    {
        ground = scene.Ground;
        this.origin = origin;
        primitives = [.. scene.Primitives.Where(p => HorizontalGap(p, origin) < maxRange)];
        nearDistance = [.. primitives.Select(p => Math.Max(0, HorizontalGap(p, origin)))];
        (binStart, binItems) = BuildBins();
    }

    /// <summary>The bin of a world-frame direction's azimuth.</summary>
    public static int AzimuthBin(Vec3 direction)
    {
        double turns = Math.Atan2(direction.Y, direction.X) / (2 * Math.PI);
        int bin = (int)Math.Floor((turns - Math.Floor(turns)) * AzimuthBins);
        return Math.Min(bin, AzimuthBins - 1);
    }

    /// <summary>The nearest return closer than <paramref name="maxRange"/> along a unit world-frame ray.</summary>
    public SurfaceHit Cast(Vec3 direction, double maxRange)
    {
        var best = new SurfaceHit(maxRange, default, 0, 0);
        int bin = AzimuthBin(direction);
        // Nothing beyond the ground's bound is visible, so objects past it are not tested at all.
        double limit = Math.Min(maxRange, ground.RangeBound(origin, direction));
        double horizontal = Math.Sqrt((direction.X * direction.X) + (direction.Y * direction.Y));
        for (int at = binStart[bin]; at < binStart[bin + 1]; at++)
        {
            int index = binItems[at];
            double reach = Math.Min(best.T, limit);
            // Items are sorted by their nearest horizontal distance, and a hit's range is at least its horizontal
            // distance over the ray's horizontal component: nothing further down the list can beat the current hit.
            if (nearDistance[index] >= reach * horizontal)
            {
                break;
            }

            ScenePrimitive primitive = primitives[index];
            if (primitive.TryIntersect(origin, direction, reach, out double t, out Vec3 normal))
            {
                best = new SurfaceHit(t, normal, primitive.LabelValue, primitive.Albedo);
            }
        }

        ground.Intersect(origin, direction, ref best);
        return best.T < maxRange && best.Label != 0 ? best : SurfaceHit.None;
    }

    private static double HorizontalGap(ScenePrimitive primitive, Vec3 origin)
    {
        (double x, double y, double radius) = primitive.Footprint;
        double dx = x - origin.X, dy = y - origin.Y;
        return Math.Sqrt((dx * dx) + (dy * dy)) - radius;
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
            x -= origin.X;
            y -= origin.Y;
            double distance = Math.Sqrt((x * x) + (y * y));
            if (distance <= (radius * 1.0001) + 1e-9)
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
