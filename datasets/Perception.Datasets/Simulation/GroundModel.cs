namespace Perception.Datasets.Simulation;

/// <summary>
/// Where the streets are: a main road along x centred at <see cref="RoadCenterY"/>, optionally a cross street along
/// y centred at <see cref="CrossStreetX"/>, each flanked by sidewalks raised by <see cref="CurbHeight"/>. Everything
/// beyond the sidewalks is terrain at sidewalk level (lots, verges, building plots).
/// </summary>
public sealed record StreetLayout(
    double RoadCenterY, double RoadHalfWidth, double SidewalkWidth, double CurbHeight, double? CrossStreetX,
    double CrossStreetHalfWidth);

public enum GroundRegion
{
    Road,
    Sidewalk,
    Terrain,
}

/// <summary>One sinusoidal term of the ground's small height noise: amplitude · sin(kx·x + ky·y + phase).</summary>
public readonly record struct GroundWave(double Amplitude, double Kx, double Ky, double Phase);

/// <summary>
/// The ground as a height field: a gently sloped plane with centimetre waves, raised by the curb height off the road,
/// with vertical curb faces along the road edges. The sensor sits at the origin, <c>mountHeight</c> above the road.
/// </summary>
public sealed class GroundModel
{
    private const double MarkingAlbedo = 0.7;
    private const double AsphaltAlbedo = 0.12;
    private const double SidewalkAlbedo = 0.32;
    private const double TerrainAlbedo = 0.26;
    private readonly GroundWave[] waves;
    private readonly double mountHeight;
    private readonly double slopeX;
    private readonly double slopeY;
    private readonly double waveAtOrigin;

    public GroundModel(double mountHeight, double slopeX, double slopeY, IReadOnlyList<GroundWave> waves,
        StreetLayout street)
    {
        this.mountHeight = mountHeight;
        this.slopeX = slopeX;
        this.slopeY = slopeY;
        this.waves = [.. waves];
        Street = street;
        waveAtOrigin = Waves(0, 0, out _, out _);
    }

    public StreetLayout Street { get; }

    /// <summary>Road-level height at (x, y); the road under the sensor is exactly −mountHeight.</summary>
    public double BaseHeight(double x, double y) =>
        -mountHeight + (slopeX * x) + (slopeY * y) + Waves(x, y, out _, out _) - waveAtOrigin;

    /// <summary>Height of the visible ground: road level on the road, curb height above it elsewhere.</summary>
    public double SurfaceHeight(double x, double y) =>
        BaseHeight(x, y) + (RegionAt(x, y) == GroundRegion.Road ? 0 : Street.CurbHeight);

    public GroundRegion RegionAt(double x, double y)
    {
        double outside = Math.Min(Math.Abs(y - Street.RoadCenterY) - Street.RoadHalfWidth, CrossStreetDistance(x));
        return outside < 0 ? GroundRegion.Road : outside < Street.SidewalkWidth ? GroundRegion.Sidewalk : GroundRegion.Terrain;
    }

    /// <summary>
    /// Distance from a point to the ground surfaces carrying <paramref name="label"/>: vertical distance to the road
    /// or raised level where the point's (x, y) is in (or within 10 cm of) that region, horizontal distance to a
    /// curb face for sidewalk. Infinity when the label is not a ground class or the point is nowhere near it.
    /// </summary>
    public double SurfaceDistance(SemanticLabel label, Vec3 p)
    {
        GroundRegion? labelled = label switch
        {
            SemanticLabel.Road => GroundRegion.Road,
            SemanticLabel.Sidewalk => GroundRegion.Sidewalk,
            SemanticLabel.Terrain => GroundRegion.Terrain,
            _ => null,
        };
        if (labelled is not GroundRegion region)
        {
            return double.PositiveInfinity;
        }

        double distance = double.PositiveInfinity;
        if (RegionNear(region, p.X, p.Y, 0.1))
        {
            double level = BaseHeight(p.X, p.Y) + (region == GroundRegion.Road ? 0 : Street.CurbHeight);
            distance = Math.Abs(p.Z - level);
        }

        return region == GroundRegion.Sidewalk ? Math.Min(distance, CurbFaceDistance(p)) : distance;
    }

    /// <summary>The nearest ground return along a ray from the sensor (origin), if any closer than tMax.</summary>
    internal bool TryIntersect(Vec3 direction, double tMax, out SurfaceHit hit)
    {
        hit = SurfaceHit.None;
        // The raised level is above the road level, so a ray meets it first; each hit counts only in its regions.
        if (TrySolveHeight(direction, Street.CurbHeight, tMax, out double t, out Vec3 normal))
        {
            Vec3 p = direction * t;
            GroundRegion region = RegionAt(p.X, p.Y);
            if (region != GroundRegion.Road)
            {
                hit = new SurfaceHit(t, normal, Label(region), Albedo(region, p.X, p.Y));
            }
        }

        if (TrySolveHeight(direction, 0, Math.Min(tMax, hit.T), out t, out normal))
        {
            Vec3 p = direction * t;
            if (RegionAt(p.X, p.Y) == GroundRegion.Road)
            {
                hit = new SurfaceHit(t, normal, SemanticLabel.Road, Albedo(GroundRegion.Road, p.X, p.Y));
            }
        }

        TryCurbFace(direction, 1, Street.RoadCenterY + Street.RoadHalfWidth, -1, ref hit);
        TryCurbFace(direction, 1, Street.RoadCenterY - Street.RoadHalfWidth, 1, ref hit);
        if (Street.CrossStreetX is double cross)
        {
            TryCurbFace(direction, 0, cross + Street.CrossStreetHalfWidth, -1, ref hit);
            TryCurbFace(direction, 0, cross - Street.CrossStreetHalfWidth, 1, ref hit);
        }

        return hit.T < tMax;
    }

    private static SemanticLabel Label(GroundRegion region) => region switch
    {
        GroundRegion.Road => SemanticLabel.Road,
        GroundRegion.Sidewalk => SemanticLabel.Sidewalk,
        _ => SemanticLabel.Terrain,
    };

    private double CrossStreetDistance(double x) =>
        Street.CrossStreetX is double cross ? Math.Abs(x - cross) - Street.CrossStreetHalfWidth : double.PositiveInfinity;

    private bool RegionNear(GroundRegion region, double x, double y, double margin) =>
        RegionAt(x, y) == region || RegionAt(x + margin, y) == region || RegionAt(x - margin, y) == region
        || RegionAt(x, y + margin) == region || RegionAt(x, y - margin) == region;

    /// <summary>Lane markings: a dashed centre line and solid edge lines on the main road, bright in remission.</summary>
    private double Albedo(GroundRegion region, double x, double y)
    {
        if (region != GroundRegion.Road)
        {
            return region == GroundRegion.Sidewalk ? SidewalkAlbedo : TerrainAlbedo;
        }

        double across = Math.Abs(y - Street.RoadCenterY);
        bool onMainRoad = CrossStreetDistance(x) >= 0;
        bool centreDash = across < 0.06 && ((x % 6.0) + 6.0) % 6.0 < 3.0;
        bool edgeLine = Math.Abs(across - (Street.RoadHalfWidth - 0.25)) < 0.06;
        return onMainRoad && (centreDash || edgeLine) ? MarkingAlbedo : AsphaltAlbedo;
    }

    /// <summary>
    /// Solves t·dz = BaseHeight(t·dx, t·dy) + offset: the plane's solution, then Newton steps for the waves (their
    /// slope is a few percent, so three steps reach well below a micrometre).
    /// </summary>
    private bool TrySolveHeight(Vec3 d, double offset, double tMax, out double t, out Vec3 normal)
    {
        normal = default;
        double descent = d.Z - (slopeX * d.X) - (slopeY * d.Y);
        t = (offset - mountHeight) / descent;
        if (descent > -1e-6 || t > tMax * 1.05)
        {
            return false;
        }

        double gx = 0, gy = 0;
        for (int step = 0; step < 4; step++)
        {
            double wave = Waves(t * d.X, t * d.Y, out gx, out gy) - waveAtOrigin;
            double residual = (t * descent) + mountHeight - offset - wave;
            double derivative = descent - (gx * d.X) - (gy * d.Y);
            t -= residual / derivative;
        }

        // Grazing rays can make Newton wander; a return that does not sit on the surface is dropped.
        double final = (t * descent) + mountHeight - offset - (Waves(t * d.X, t * d.Y, out gx, out gy) - waveAtOrigin);
        normal = new Vec3(-(slopeX + gx), -(slopeY + gy), 1).Normalized();
        return t > 0 && t < tMax && Math.Abs(final) < 1e-6;
    }

    /// <summary>A vertical curb face on the plane x = at (axis 0) or y = at (axis 1), facing the road side.</summary>
    private void TryCurbFace(Vec3 d, int axis, double at, double roadSide, ref SurfaceHit hit)
    {
        double component = axis == 0 ? d.X : d.Y;
        if (Math.Abs(component) < 1e-12 || component * roadSide > 0)
        {
            return; // parallel, or travelling from the raised side toward the road: the face is seen from behind
        }

        double t = at / component;
        if (t <= 0 || t >= hit.T)
        {
            return;
        }

        Vec3 p = d * t;
        const double Step = 1e-4;
        double rx = axis == 0 ? p.X + (roadSide * Step) : p.X, ry = axis == 1 ? p.Y + (roadSide * Step) : p.Y;
        double sx = axis == 0 ? p.X - (roadSide * Step) : p.X, sy = axis == 1 ? p.Y - (roadSide * Step) : p.Y;
        double floor = BaseHeight(p.X, p.Y);
        if (RegionAt(rx, ry) == GroundRegion.Road && RegionAt(sx, sy) != GroundRegion.Road
            && p.Z >= floor && p.Z <= floor + Street.CurbHeight)
        {
            Vec3 normal = axis == 0 ? new Vec3(roadSide, 0, 0) : new Vec3(0, roadSide, 0);
            hit = new SurfaceHit(t, normal, SemanticLabel.Sidewalk, SidewalkAlbedo);
        }
    }

    private double CurbFaceDistance(Vec3 p)
    {
        double floor = BaseHeight(p.X, p.Y);
        if (p.Z < floor - 0.1 || p.Z > floor + Street.CurbHeight + 0.1)
        {
            return double.PositiveInfinity;
        }

        double distance = double.PositiveInfinity;
        double mainEdge = Math.Abs(Math.Abs(p.Y - Street.RoadCenterY) - Street.RoadHalfWidth);
        if (CrossStreetDistance(p.X) >= -0.1)
        {
            distance = mainEdge;
        }

        if (Street.CrossStreetX is double cross && Math.Abs(p.Y - Street.RoadCenterY) >= Street.RoadHalfWidth - 0.1)
        {
            distance = Math.Min(distance, Math.Abs(Math.Abs(p.X - cross) - Street.CrossStreetHalfWidth));
        }

        return distance;
    }

    private double Waves(double x, double y, out double gradX, out double gradY)
    {
        double height = 0;
        gradX = 0;
        gradY = 0;
        foreach (GroundWave w in waves)
        {
            double phase = (w.Kx * x) + (w.Ky * y) + w.Phase;
            height += w.Amplitude * Math.Sin(phase);
            double slope = w.Amplitude * Math.Cos(phase);
            gradX += slope * w.Kx;
            gradY += slope * w.Ky;
        }

        return height;
    }
}
