using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Simulation;

/// <summary>
/// A solid object in the simulated scene with an analytic ray intersection and a signed distance. Rays start at the
/// sensor, which is never inside a primitive, so only entry points count.
/// </summary>
public abstract class ScenePrimitive(KittiRawLabel rawLabel, double albedo)
{
    /// <summary>Rays closer than this are treated as starting on the surface (self-hits and grazing noise).</summary>
    protected const double MinT = 1e-6;

    /// <summary>The SemanticKITTI raw id its returns carry (moving-car, lane-marking, bus, ...).</summary>
    public KittiRawLabel RawLabel { get; } = rawLabel;

    /// <summary>The evaluated class the raw id maps to (official learning map).</summary>
    public SemanticLabel Label => RawLabelClasses.TrainId(RawLabel);

    /// <summary>
    /// The object's instance id (the high 16 bits of its .label values): shared by the parts of one object and kept
    /// over a sequence; 0 for stuff (buildings, vegetation, poles).
    /// </summary>
    public ushort Instance { get; init; }

    /// <summary>The .label value of its returns: raw id in the low 16 bits, instance in the high 16.</summary>
    internal uint LabelValue => (uint)RawLabel | ((uint)Instance << 16);

    /// <summary>Diffuse reflectivity in [0, 1]; the remission of a return scales it by the incidence angle.</summary>
    public double Albedo { get; } = albedo;

    /// <summary>Centre and radius of a circle that contains the primitive seen from above (for azimuth culling).</summary>
    public abstract (double X, double Y, double Radius) Footprint { get; }

    /// <summary>The first entry point along origin + t·direction with t in (0, tMax), and the outward normal there.</summary>
    public abstract bool TryIntersect(Vec3 origin, Vec3 direction, double tMax, out double t, out Vec3 normal);

    /// <summary>Signed distance to the surface: negative inside, zero on it (exact except for the ellipsoid).</summary>
    public abstract double SignedDistance(Vec3 point);
}

/// <summary>A box rotated by <see cref="Yaw"/> about the vertical axis: buildings, car bodies, sign plates.</summary>
public sealed class OrientedBox(Vec3 center, Vec3 halfExtents, double yaw, KittiRawLabel label, double albedo)
    : ScenePrimitive(label, albedo)
{
    private readonly double cos = Math.Cos(yaw);
    private readonly double sin = Math.Sin(yaw);

    public Vec3 Center { get; } = center;

    public Vec3 HalfExtents { get; } = halfExtents;

    public double Yaw { get; } = yaw;

    public override (double X, double Y, double Radius) Footprint =>
        (Center.X, Center.Y, Math.Sqrt((HalfExtents.X * HalfExtents.X) + (HalfExtents.Y * HalfExtents.Y)));

    public override bool TryIntersect(Vec3 origin, Vec3 direction, double tMax, out double t, out Vec3 normal)
    {
        Vec3 o = ToLocal(origin - Center);
        Vec3 d = ToLocal(direction);
        double near = double.NegativeInfinity, far = double.PositiveInfinity;
        int axis = -1;
        double sign = 0;
        for (int a = 0; a < 3; a++)
        {
            double oa = a == 0 ? o.X : a == 1 ? o.Y : o.Z;
            double da = a == 0 ? d.X : a == 1 ? d.Y : d.Z;
            double h = a == 0 ? HalfExtents.X : a == 1 ? HalfExtents.Y : HalfExtents.Z;
            if (Math.Abs(da) < 1e-15)
            {
                if (Math.Abs(oa) > h)
                {
                    return Miss(out t, out normal);
                }

                continue;
            }

            double t0 = (-h - oa) / da, t1 = (h - oa) / da;
            // The entry face of this slab is the one the ray reaches first; its normal faces against the ray.
            double entry = Math.Min(t0, t1);
            if (entry > near)
            {
                near = entry;
                axis = a;
                sign = da > 0 ? -1 : 1;
            }

            far = Math.Min(far, Math.Max(t0, t1));
        }

        if (axis < 0 || near > far || near <= MinT || near >= tMax)
        {
            return Miss(out t, out normal);
        }

        t = near;
        Vec3 local = axis == 0 ? new Vec3(sign, 0, 0) : axis == 1 ? new Vec3(0, sign, 0) : new Vec3(0, 0, sign);
        normal = ToWorld(local);
        return true;
    }

    public override double SignedDistance(Vec3 point)
    {
        Vec3 p = ToLocal(point - Center);
        double qx = Math.Abs(p.X) - HalfExtents.X, qy = Math.Abs(p.Y) - HalfExtents.Y, qz = Math.Abs(p.Z) - HalfExtents.Z;
        double outside = new Vec3(Math.Max(qx, 0), Math.Max(qy, 0), Math.Max(qz, 0)).Length;
        return outside + Math.Min(Math.Max(qx, Math.Max(qy, qz)), 0);
    }

    private Vec3 ToLocal(Vec3 v) => new((cos * v.X) + (sin * v.Y), (-sin * v.X) + (cos * v.Y), v.Z);

    private Vec3 ToWorld(Vec3 v) => new((cos * v.X) - (sin * v.Y), (sin * v.X) + (cos * v.Y), v.Z);

    internal static bool Miss(out double t, out Vec3 normal)
    {
        t = double.PositiveInfinity;
        normal = default;
        return false;
    }
}

/// <summary>An upright capped cylinder from <see cref="Bottom"/> to <see cref="Top"/>: poles, trunks, pedestrians.</summary>
public sealed class VerticalCylinder(double x, double y, double bottom, double top, double radius, KittiRawLabel label,
    double albedo) : ScenePrimitive(label, albedo)
{
    public double X { get; } = x;

    public double Y { get; } = y;

    public double Bottom { get; } = bottom;

    public double Top { get; } = top;

    public double Radius { get; } = radius;

    public override (double X, double Y, double Radius) Footprint => (X, Y, Radius);

    public override bool TryIntersect(Vec3 origin, Vec3 direction, double tMax, out double t, out Vec3 normal)
    {
        double ox = origin.X - X, oy = origin.Y - Y;
        double a = (direction.X * direction.X) + (direction.Y * direction.Y);
        double best = double.PositiveInfinity;
        Vec3 bestNormal = default;
        if (a > 1e-15)
        {
            double b = (ox * direction.X) + (oy * direction.Y);
            double c = (ox * ox) + (oy * oy) - (Radius * Radius);
            double disc = (b * b) - (a * c);
            if (disc >= 0)
            {
                double side = (-b - Math.Sqrt(disc)) / a;
                double z = origin.Z + (side * direction.Z);
                if (side > MinT && z >= Bottom && z <= Top)
                {
                    best = side;
                    bestNormal = new Vec3(ox + (side * direction.X), oy + (side * direction.Y), 0).Normalized();
                }
            }
        }

        // Caps: the top is seen from above (a pole below a steep beam), the bottom only from below.
        TryCap(Top, 1.0, ox, oy, origin.Z, direction, ref best, ref bestNormal);
        TryCap(Bottom, -1.0, ox, oy, origin.Z, direction, ref best, ref bestNormal);
        t = best;
        normal = bestNormal;
        return best < tMax;
    }

    public override double SignedDistance(Vec3 point)
    {
        double radial = Math.Sqrt(((point.X - X) * (point.X - X)) + ((point.Y - Y) * (point.Y - Y))) - Radius;
        double vertical = Math.Max(Bottom - point.Z, point.Z - Top);
        double outside = Math.Sqrt((Math.Max(radial, 0) * Math.Max(radial, 0)) + (Math.Max(vertical, 0) * Math.Max(vertical, 0)));
        return outside + Math.Min(Math.Max(radial, vertical), 0);
    }

    private void TryCap(double capZ, double facing, double ox, double oy, double originZ, Vec3 direction,
        ref double best, ref Vec3 bestNormal)
    {
        if (Math.Abs(direction.Z) < 1e-15 || direction.Z * facing >= 0)
        {
            return;
        }

        double cap = (capZ - originZ) / direction.Z;
        double px = ox + (cap * direction.X), py = oy + (cap * direction.Y);
        if (cap > MinT && cap < best && (px * px) + (py * py) <= Radius * Radius)
        {
            best = cap;
            bestNormal = new Vec3(0, 0, facing);
        }
    }
}

/// <summary>An axis-aligned ellipsoid: tree crowns and bushes.</summary>
public sealed class Ellipsoid(Vec3 center, Vec3 radii, KittiRawLabel label, double albedo)
    : ScenePrimitive(label, albedo)
{
    public Vec3 Center { get; } = center;

    public Vec3 Radii { get; } = radii;

    public override (double X, double Y, double Radius) Footprint => (Center.X, Center.Y, Math.Max(Radii.X, Radii.Y));

    public override bool TryIntersect(Vec3 origin, Vec3 direction, double tMax, out double t, out Vec3 normal)
    {
        // In coordinates scaled by the radii the ellipsoid is the unit sphere and t is unchanged.
        Vec3 o = Scale(origin - Center), d = Scale(direction);
        double a = Vec3.Dot(d, d), b = Vec3.Dot(o, d), c = Vec3.Dot(o, o) - 1;
        double disc = (b * b) - (a * c);
        if (disc < 0)
        {
            return OrientedBox.Miss(out t, out normal);
        }

        t = (-b - Math.Sqrt(disc)) / a;
        if (t <= MinT || t >= tMax)
        {
            return OrientedBox.Miss(out t, out normal);
        }

        Vec3 p = origin + (direction * t) - Center;
        normal = new Vec3(p.X / (Radii.X * Radii.X), p.Y / (Radii.Y * Radii.Y), p.Z / (Radii.Z * Radii.Z)).Normalized();
        return true;
    }

    /// <summary>First-order distance k0(k0−1)/k1; accurate to second order near the surface, where the tests look.</summary>
    public override double SignedDistance(Vec3 point)
    {
        Vec3 p = point - Center;
        double k0 = Scale(p).Length;
        double k1 = new Vec3(p.X / (Radii.X * Radii.X), p.Y / (Radii.Y * Radii.Y), p.Z / (Radii.Z * Radii.Z)).Length;
        return k1 > 0 ? k0 * (k0 - 1) / k1 : -Math.Min(Radii.X, Math.Min(Radii.Y, Radii.Z));
    }

    private Vec3 Scale(Vec3 v) => new(v.X / Radii.X, v.Y / Radii.Y, v.Z / Radii.Z);
}
