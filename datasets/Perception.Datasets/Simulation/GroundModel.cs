using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Simulation;

public enum GroundRegion
{
    Road,
    Parking,
    Sidewalk,
    OtherGround,
    Terrain,
}

/// <summary>One sinusoidal term of the ground's small height noise: amplitude · sin(kx·x + ky·y + phase).</summary>
public readonly record struct GroundWave(double Amplitude, double Kx, double Ky, double Phase);

/// <summary>
/// The ground as a height field: a gently sloped plane with centimetre waves. Road and parking bays lie at road
/// level; sidewalks, plazas (other-ground) and terrain are raised by the curb height, with vertical curb faces
/// where the two meet. The world origin is the first scan's sensor, <c>mountHeight</c> above the road.
/// </summary>
public sealed class GroundModel
{
    // Reflectivities at the HDL-64E's 905 nm, scaled like KITTI's remission: retroreflective paint is the brightest
    // ground, grass and soil reflect far better than asphalt.
    private const double MarkingAlbedo = 0.85;
    private const double AsphaltAlbedo = 0.24;
    private const double ParkingAlbedo = 0.28;
    private const double SidewalkAlbedo = 0.36;
    private const double PavingAlbedo = 0.31;
    private const double TerrainAlbedo = 0.48;
    private const double MarkingHalfWidth = 0.06;
    private readonly GroundWave[] waves;
    private readonly StreetPlan plan;
    private readonly double mountHeight;
    private readonly double slopeX;
    private readonly double slopeY;
    private readonly double waveAtOrigin;
    private readonly double waveBound;

    internal GroundModel(double mountHeight, double slopeX, double slopeY, IReadOnlyList<GroundWave> waves,
        StreetLayout street, StreetPlan plan)
    {
        this.mountHeight = mountHeight;
        this.slopeX = slopeX;
        this.slopeY = slopeY;
        this.waves = [.. waves];
        this.plan = plan;
        Street = street;
        waveAtOrigin = Waves(0, 0, out _, out _);
        waveBound = this.waves.Sum(w => Math.Abs(w.Amplitude)) + Math.Abs(waveAtOrigin);
    }

    public StreetLayout Street { get; }

    /// <summary>Road-level height at (x, y); the road under the first scan's sensor is at −mountHeight.</summary>
    public double BaseHeight(double x, double y) =>
        -mountHeight + (slopeX * x) + (slopeY * y) + Waves(x, y, out _, out _) - waveAtOrigin;

    /// <summary>Height of the visible ground: road level on road and parking, a curb higher elsewhere.</summary>
    public double SurfaceHeight(double x, double y) =>
        BaseHeight(x, y) + (IsRaised(RegionAt(x, y)) ? Street.CurbHeight : 0);

    public GroundRegion RegionAt(double x, double y)
    {
        double across = Math.Abs(y - Street.RoadCenterY);
        double mainOutside = across - Street.RoadHalfWidth;
        double crossOutside = plan.CrossStreetDistance(x, Street.CrossStreetHalfWidth);
        int side = y >= Street.RoadCenterY ? 0 : 1;
        if (mainOutside < 0 || crossOutside < 0)
        {
            bool parkingLane = mainOutside >= -Street.ParkingLaneWidth && crossOutside >= 0;
            return parkingLane && plan.ParkingBays(side).Contains(x) ? GroundRegion.Parking : GroundRegion.Road;
        }

        if (Math.Min(mainOutside, crossOutside) < Street.SidewalkWidth)
        {
            return GroundRegion.Sidewalk;
        }

        return crossOutside >= Street.SidewalkWidth && mainOutside < Street.SidewalkWidth + plan.PlazaDepth
            && plan.Plazas(side).Contains(x) ? GroundRegion.OtherGround : GroundRegion.Terrain;
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
            SemanticLabel.Parking => GroundRegion.Parking,
            SemanticLabel.Sidewalk => GroundRegion.Sidewalk,
            SemanticLabel.OtherGround => GroundRegion.OtherGround,
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
            double level = BaseHeight(p.X, p.Y) + (IsRaised(region) ? Street.CurbHeight : 0);
            distance = Math.Abs(p.Z - level);
        }

        return region == GroundRegion.Sidewalk ? Math.Min(distance, CurbFaceDistance(p)) : distance;
    }

    /// <summary>
    /// A range the ground return along a downward ray cannot exceed: where the ray meets the road-level plane,
    /// plus the waves' largest height over the ray's descent. Anything beyond it is hidden by the ground.
    /// </summary>
    internal double RangeBound(Vec3 origin, Vec3 d)
    {
        double descent = d.Z - (slopeX * d.X) - (slopeY * d.Y);
        if (descent > -1e-6)
        {
            return double.PositiveInfinity;
        }

        double above = origin.Z - BaseHeightWithoutWaves(origin.X, origin.Y);
        return (above + waveBound) / -descent;
    }

    /// <summary>Replaces <paramref name="hit"/> with the ground's return along the ray if that is closer.</summary>
    internal void Intersect(Vec3 origin, Vec3 direction, ref SurfaceHit hit)
    {
        // The raised level is above the road level, so a ray meets it first; each hit counts only in its regions.
        if (MayMeetRaisedGround(origin, direction, hit.T)
            && TrySolveHeight(origin, direction, Street.CurbHeight, hit.T, out double t, out Vec3 normal))
        {
            Vec3 p = origin + (direction * t);
            GroundRegion region = RegionAt(p.X, p.Y);
            if (IsRaised(region))
            {
                hit = Surface(t, normal, region, p);
            }
        }

        if (TrySolveHeight(origin, direction, 0, hit.T, out t, out normal))
        {
            Vec3 p = origin + (direction * t);
            GroundRegion region = RegionAt(p.X, p.Y);
            if (!IsRaised(region))
            {
                hit = Surface(t, normal, region, p);
            }
        }

        TryCurbFace(origin, direction, 1, Street.RoadCenterY + Street.RoadHalfWidth, -1, ref hit);
        TryCurbFace(origin, direction, 1, Street.RoadCenterY - Street.RoadHalfWidth, 1, ref hit);
        double reach = double.IsInfinity(hit.T) ? 200 : hit.T;
        foreach (double cross in plan.CrossStreetsBetween(origin.X, origin.X + (direction.X * reach),
            Street.CrossStreetHalfWidth))
        {
            TryCurbFace(origin, direction, 0, cross + Street.CrossStreetHalfWidth, -1, ref hit);
            TryCurbFace(origin, direction, 0, cross - Street.CrossStreetHalfWidth, 1, ref hit);
        }
    }

    /// <summary>Whether the verge on a side (0 = left of the road centre) is paved at x.</summary>
    internal bool IsPlaza(int side, double x) => plan.Plazas(side).Contains(x);

    private static bool IsRaised(GroundRegion region) => region is not (GroundRegion.Road or GroundRegion.Parking);

    private SurfaceHit Surface(double t, Vec3 normal, GroundRegion region, Vec3 p)
    {
        (KittiRawLabel label, double albedo) = region switch
        {
            GroundRegion.Road when IsLaneMarking(p.X, p.Y) => (KittiRawLabel.LaneMarking, MarkingAlbedo),
            GroundRegion.Road => (KittiRawLabel.Road, AsphaltAlbedo),
            GroundRegion.Parking => (KittiRawLabel.Parking, ParkingAlbedo),
            GroundRegion.Sidewalk => (KittiRawLabel.Sidewalk, SidewalkAlbedo),
            GroundRegion.OtherGround => (KittiRawLabel.OtherGround, PavingAlbedo),
            _ => (KittiRawLabel.Terrain, TerrainAlbedo),
        };
        return new SurfaceHit(t, normal, (uint)label, albedo);
    }

    /// <summary>
    /// False when the ray cannot return from the raised level: wherever the waves put its crossing of that level,
    /// the crossing stays between the main road's curbs. Most road returns skip a whole height solve this way.
    /// </summary>
    private bool MayMeetRaisedGround(Vec3 o, Vec3 d, double tMax)
    {
        double descent = d.Z - (slopeX * d.X) - (slopeY * d.Y);
        if (descent > -1e-6)
        {
            return false;
        }

        double above = o.Z - BaseHeightWithoutWaves(o.X, o.Y) + waveAtOrigin - Street.CurbHeight;
        double near = Math.Max((above - waveBound) / -descent, 0), far = Math.Min((above + waveBound) / -descent, tMax);
        if (near > far)
        {
            return false; // the crossing lies beyond the current hit
        }

        double yNear = o.Y + (near * d.Y) - Street.RoadCenterY, yFar = o.Y + (far * d.Y) - Street.RoadCenterY;
        return Math.Max(Math.Abs(yNear), Math.Abs(yFar)) >= Street.RoadHalfWidth;
    }

    /// <summary>
    /// Lane markings on the main road, outside junctions: a dashed centre line (3 m dash, 3 m gap) and solid lines
    /// between the driving lanes and the parking lanes.
    /// </summary>
    private bool IsLaneMarking(double x, double y)
    {
        if (plan.CrossStreetDistance(x, Street.CrossStreetHalfWidth) < 0)
        {
            return false;
        }

        double across = Math.Abs(y - Street.RoadCenterY);
        bool centreDash = across < MarkingHalfWidth && ((x % 6.0) + 6.0) % 6.0 < 3.0;
        bool laneLine = Math.Abs(across - (Street.RoadHalfWidth - Street.ParkingLaneWidth)) < MarkingHalfWidth;
        return centreDash || laneLine;
    }

    private bool RegionNear(GroundRegion region, double x, double y, double margin) =>
        RegionAt(x, y) == region || RegionAt(x + margin, y) == region || RegionAt(x - margin, y) == region
        || RegionAt(x, y + margin) == region || RegionAt(x, y - margin) == region;

    private double BaseHeightWithoutWaves(double x, double y) => -mountHeight + (slopeX * x) + (slopeY * y);

    /// <summary>
    /// Solves o.z + t·d.z = BaseHeight(o + t·d) + offset: the plane's solution, then Newton steps for the waves
    /// until the step is below 0.1 mm, far under the range noise (their slope is a few percent: usually two steps,
    /// more for grazing rays).
    /// </summary>
    private bool TrySolveHeight(Vec3 o, Vec3 d, double offset, double tMax, out double t, out Vec3 normal)
    {
        normal = default;
        double descent = d.Z - (slopeX * d.X) - (slopeY * d.Y);
        double above = o.Z - BaseHeightWithoutWaves(o.X, o.Y) + waveAtOrigin - offset;
        t = above / -descent;
        if (descent > -1e-6 || t - (waveBound / -descent) > tMax)
        {
            return false;
        }

        double gx = 0, gy = 0;
        bool converged = false;
        for (int step = 0; step < 8 && !converged; step++)
        {
            double wave = Waves(o.X + (t * d.X), o.Y + (t * d.Y), out gx, out gy);
            double residual = above + (t * descent) - wave;
            double derivative = descent - (gx * d.X) - (gy * d.Y);
            double change = residual / derivative;
            t -= change;
            converged = Math.Abs(change) < 1e-4;
        }

        // Grazing rays can make Newton wander; a return that does not settle on the surface is dropped.
        normal = new Vec3(-(slopeX + gx), -(slopeY + gy), 1).Normalized();
        return converged && t > 0 && t < tMax;
    }

    /// <summary>A vertical curb face on the plane x = at (axis 0) or y = at (axis 1), facing the road side.</summary>
    private void TryCurbFace(Vec3 o, Vec3 d, int axis, double at, double roadSide, ref SurfaceHit hit)
    {
        double component = axis == 0 ? d.X : d.Y;
        if (Math.Abs(component) < 1e-12 || component * roadSide > 0)
        {
            return; // parallel, or travelling from the raised side toward the road: the face is seen from behind
        }

        double t = (at - (axis == 0 ? o.X : o.Y)) / component;
        if (t <= 0 || t >= hit.T)
        {
            return;
        }

        Vec3 p = o + (d * t);
        double plane = BaseHeightWithoutWaves(p.X, p.Y) - waveAtOrigin;
        if (p.Z < plane - waveBound || p.Z > plane + Street.CurbHeight + waveBound)
        {
            return; // well above or below the curb whatever the waves do there: skip the exact height
        }

        double floor = BaseHeight(p.X, p.Y);
        if (p.Z < floor || p.Z > floor + Street.CurbHeight)
        {
            return;
        }

        const double Step = 1e-4;
        double rx = axis == 0 ? p.X + (roadSide * Step) : p.X, ry = axis == 1 ? p.Y + (roadSide * Step) : p.Y;
        double sx = axis == 0 ? p.X - (roadSide * Step) : p.X, sy = axis == 1 ? p.Y - (roadSide * Step) : p.Y;
        if (!IsRaised(RegionAt(rx, ry)) && IsRaised(RegionAt(sx, sy)))
        {
            Vec3 normal = axis == 0 ? new Vec3(roadSide, 0, 0) : new Vec3(0, roadSide, 0);
            hit = new SurfaceHit(t, normal, (uint)KittiRawLabel.Sidewalk, SidewalkAlbedo);
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
        double crossOutside = plan.CrossStreetDistance(p.X, Street.CrossStreetHalfWidth);
        if (crossOutside >= -0.1)
        {
            distance = Math.Abs(Math.Abs(p.Y - Street.RoadCenterY) - Street.RoadHalfWidth);
        }

        if (Math.Abs(p.Y - Street.RoadCenterY) >= Street.RoadHalfWidth - 0.1)
        {
            distance = Math.Min(distance, Math.Abs(crossOutside));
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
            (double sin, double cos) = Math.SinCos((w.Kx * x) + (w.Ky * y) + w.Phase);
            height += w.Amplitude * sin;
            double slope = w.Amplitude * cos;
            gradX += slope * w.Kx;
            gradY += slope * w.Ky;
        }

        return height;
    }
}
