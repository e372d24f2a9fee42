using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Simulation;

/// <summary>Where an object stands: ground position, ground height there, heading, label and instance id.</summary>
internal readonly record struct Placement(double X, double Y, double Ground, double Yaw, KittiRawLabel Label,
    ushort Instance);

/// <summary>
/// Street objects as a few boxes, cylinders and ellipsoids with typical European dimensions. Every part of one
/// object carries the object's label and instance id; local +x is the object's heading.
/// </summary>
internal static class ObjectShapes
{
    /// <summary>A car: lower body and a narrower, darker cabin set back from the front.</summary>
    public static void Car(List<ScenePrimitive> into, Placement at, double length, double width, double paint)
    {
        Box(into, at, 0, 0, 0.28, 1.0, length / 2, width / 2, paint);
        Box(into, at, -0.08 * length, 0, 1.0, 1.48, 0.27 * length, (width / 2) - 0.07, 0.1);
    }

    /// <summary>A box truck: cab in front, cargo box behind it on a chassis.</summary>
    public static void Truck(List<ScenePrimitive> into, Placement at, double length, double height, double paint)
    {
        const double CabLength = 2.3;
        double box = length - CabLength - 0.2;
        Box(into, at, (length / 2) - (CabLength / 2), 0, 0.45, 3.0, CabLength / 2, 1.22, paint);
        Box(into, at, (-length / 2) + (box / 2), 0, 1.05, height, box / 2, 1.25, 0.55);
        Box(into, at, (-length / 2) + (box / 2), 0, 0.45, 1.05, box / 2, 0.55, 0.08);
    }

    /// <summary>A city bus: one long box with a roof unit.</summary>
    public static void Bus(List<ScenePrimitive> into, Placement at, double length, double paint)
    {
        Box(into, at, 0, 0, 0.3, 3.05, length / 2, 1.275, paint);
        Box(into, at, length * 0.1, 0, 3.05, 3.35, length * 0.2, 0.9, 0.4);
    }

    /// <summary>A caravan or box trailer (SemanticKITTI other-vehicle) with its drawbar.</summary>
    public static void Trailer(List<ScenePrimitive> into, Placement at, double length, double height, double paint)
    {
        Box(into, at, 0, 0, 0.4, height, length / 2, 1.1, paint);
        Box(into, at, (length / 2) + 0.7, 0, 0.35, 0.5, 0.7, 0.06, 0.1);
    }

    /// <summary>A bicycle: two thin wheels, a frame, saddle and handlebar.</summary>
    public static void Bicycle(List<ScenePrimitive> into, Placement at, double paint)
    {
        Box(into, at, 0.53, 0, 0, 0.68, 0.34, 0.02, 0.12);
        Box(into, at, -0.53, 0, 0, 0.68, 0.34, 0.02, 0.12);
        Box(into, at, 0, 0, 0.42, 0.82, 0.45, 0.03, paint);
        Box(into, at, -0.22, 0, 0.82, 0.9, 0.13, 0.07, 0.1);
        Box(into, at, 0.48, 0, 0.95, 1.0, 0.03, 0.3, 0.2);
    }

    /// <summary>A motorcycle: wheels, engine and tank block, seat and handlebar.</summary>
    public static void Motorcycle(List<ScenePrimitive> into, Placement at, double paint)
    {
        Box(into, at, 0.72, 0, 0, 0.62, 0.31, 0.06, 0.1);
        Box(into, at, -0.72, 0, 0, 0.62, 0.31, 0.07, 0.1);
        Box(into, at, 0.05, 0, 0.32, 0.92, 0.6, 0.22, paint);
        Box(into, at, -0.4, 0, 0.92, 1.02, 0.35, 0.16, 0.1);
        Box(into, at, 0.62, 0, 1.02, 1.08, 0.04, 0.38, 0.3);
    }

    /// <summary>A standing or walking person: body cylinder and head.</summary>
    public static void Person(List<ScenePrimitive> into, Placement at, double height, double radius, double clothes)
    {
        into.Add(new VerticalCylinder(at.X, at.Y, at.Ground - 0.02, at.Ground + (0.87 * height), radius, at.Label,
            clothes) { Instance = at.Instance });
        into.Add(new Ellipsoid(new Vec3(at.X, at.Y, at.Ground + (0.93 * height)), new Vec3(0.1, 0.1, 0.07 * height),
            at.Label, 0.3) { Instance = at.Instance });
    }

    /// <summary>A person riding a bicycle or motorcycle; rider and machine both carry the rider's label.</summary>
    public static void Rider(List<ScenePrimitive> into, Placement at, bool motorcycle, double clothes)
    {
        if (motorcycle)
        {
            Motorcycle(into, at, clothes);
        }
        else
        {
            Bicycle(into, at, clothes);
        }

        (double x, double y) = Offset(at, motorcycle ? -0.3 : -0.15, 0);
        double seat = at.Ground + (motorcycle ? 0.95 : 0.9);
        into.Add(new VerticalCylinder(x, y, seat, seat + 0.62, 0.19, at.Label, clothes) { Instance = at.Instance });
        into.Add(new Ellipsoid(new Vec3(x, y, seat + 0.78), new Vec3(0.13, 0.13, 0.15), at.Label,
            motorcycle ? 0.6 : 0.3) { Instance = at.Instance });
        Box(into, at, motorcycle ? -0.1 : 0.05, 0, 0.2, seat - at.Ground, 0.12, 0.17, clothes);
    }

    /// <summary>A box whose centre is (along, across) in the object's frame, from z0 to z1 above its ground.</summary>
    private static void Box(List<ScenePrimitive> into, Placement at, double along, double across, double z0, double z1,
        double halfLength, double halfWidth, double albedo)
    {
        (double x, double y) = Offset(at, along, across);
        var centre = new Vec3(x, y, at.Ground + ((z0 + z1) / 2));
        into.Add(new OrientedBox(centre, new Vec3(halfLength, halfWidth, (z1 - z0) / 2), at.Yaw, at.Label, albedo)
        {
            Instance = at.Instance,
        });
    }

    private static (double X, double Y) Offset(Placement at, double along, double across)
    {
        (double sin, double cos) = Math.SinCos(at.Yaw);
        return (at.X + (along * cos) - (across * sin), at.Y + (along * sin) + (across * cos));
    }
}
