using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Simulation;

/// <summary>
/// Moving actors, labelled with SemanticKITTI's moving-* ids: a stream of oncoming vehicles and riders in the far
/// lane, people walking along both sidewalks, and sometimes a vehicle leading the sensor car in its lane. Each
/// stream moves at one speed, so its members never run into each other; slot k of a stream is drawn from its own
/// random stream, so an actor looks the same in every scan and only the ones near the sensor car are built.
/// </summary>
internal sealed class Traffic
{
    private const double Reach = 140;
    private readonly ulong worldSeed;
    private readonly GroundModel ground;
    private readonly EgoRoute route;
    private readonly double oncomingSpeed;
    private readonly double oncomingSpacing;
    private readonly double[] walkSpeed = new double[2];
    private readonly double[] walkSpacing = new double[2];
    private readonly KittiRawLabel? leadKind;
    private readonly double leadGap;
    private readonly double leadPaint;

    public Traffic(DeterministicRandom random, ulong worldSeed, GroundModel ground, EgoRoute route)
    {
        this.worldSeed = worldSeed;
        this.ground = ground;
        this.route = route;
        oncomingSpeed = random.Uniform(8, 12);
        oncomingSpacing = random.Uniform(30, 55);
        for (int side = 0; side < 2; side++)
        {
            walkSpeed[side] = random.Sign() * random.Uniform(1.1, 1.6);
            walkSpacing[side] = random.Uniform(12, 30);
        }

        double lead = random.NextDouble();
        leadKind = lead < 0.3 ? KittiRawLabel.MovingCar : lead < 0.4 ? KittiRawLabel.MovingTruck
            : lead < 0.5 ? KittiRawLabel.MovingMotorcyclist : null;
        leadGap = random.Uniform(18, 35);
        leadPaint = random.Uniform(0.08, 0.85);
    }

    /// <summary>Adds the actors within reach of the sensor car, where they are at <paramref name="time"/>.</summary>
    public void AddActors(double time, List<ScenePrimitive> into)
    {
        double egoX = EgoRoute.Speed * time;
        AddOncoming(time, egoX, into);
        for (int side = 0; side < 2; side++)
        {
            AddWalkers(side, time, egoX, into);
        }

        if (leadKind is KittiRawLabel kind)
        {
            double s = egoX + leadGap;
            var at = new Placement(s, route.Y(s), ground.SurfaceHeight(s, route.Y(s)), route.Yaw(s), kind, 60001);
            AddVehicle(into, at, kind, kind == KittiRawLabel.MovingTruck ? 7.5 : 4.5, 1.8, leadPaint);
        }
    }

    private void AddOncoming(double time, double egoX, List<ScenePrimitive> into)
    {
        // Slot k starts at k·spacing (plus up to 30 % jitter) and drives toward −x.
        double shift = oncomingSpeed * time;
        long first = (long)Math.Floor((egoX - Reach + shift) / oncomingSpacing) - 1;
        long last = (long)Math.Ceiling((egoX + Reach + shift) / oncomingSpacing);
        double y = 2 * ground.Street.RoadCenterY; // the ego lane mirrored about the road centre
        for (long k = first; k <= last; k++)
        {
            var random = DeterministicRandom.ForKey(worldSeed, k, 10);
            double x = (k * oncomingSpacing) + random.Uniform(0, 0.3 * oncomingSpacing) - shift;
            double draw = random.NextDouble(), length = random.Uniform(3.9, 4.9), width = random.Uniform(1.7, 1.95);
            double paint = random.Uniform(0.08, 0.85);
            if (!random.Chance(0.75) || Math.Abs(x - egoX) > Reach)
            {
                continue;
            }

            KittiRawLabel kind = draw < 0.6 ? KittiRawLabel.MovingCar : draw < 0.68 ? KittiRawLabel.MovingTruck
                : draw < 0.75 ? KittiRawLabel.MovingBus : draw < 0.87 ? KittiRawLabel.MovingMotorcyclist
                : KittiRawLabel.MovingBicyclist;
            ushort instance = (ushort)(40000 + (((k % 10000) + 10000) % 10000));
            var at = new Placement(x, y, ground.SurfaceHeight(x, y), Math.PI, kind, instance);
            AddVehicle(into, at, kind, kind == KittiRawLabel.MovingTruck ? length + 3 : length, width, paint);
        }
    }

    private static void AddVehicle(List<ScenePrimitive> into, Placement at, KittiRawLabel kind, double length,
        double width, double paint)
    {
        switch (kind)
        {
            case KittiRawLabel.MovingTruck:
                ObjectShapes.Truck(into, at, length, 3.5, paint);
                break;
            case KittiRawLabel.MovingBus:
                ObjectShapes.Bus(into, at, 12, paint);
                break;
            case KittiRawLabel.MovingMotorcyclist or KittiRawLabel.MovingBicyclist:
                ObjectShapes.Rider(into, at, kind == KittiRawLabel.MovingMotorcyclist, paint);
                break;
            default:
                ObjectShapes.Car(into, at, length, width, paint);
                break;
        }
    }

    /// <summary>People walking along a sidewalk's outer half, all at the side's pace.</summary>
    private void AddWalkers(int side, double time, double egoX, List<ScenePrimitive> into)
    {
        StreetLayout street = ground.Street;
        double sign = side == 0 ? 1 : -1;
        double y = street.RoadCenterY + (sign * (street.RoadHalfWidth + street.SidewalkWidth - 0.45));
        double shift = walkSpeed[side] * time, spacing = walkSpacing[side];
        long first = (long)Math.Floor((egoX - Reach - shift) / spacing) - 1;
        long last = (long)Math.Ceiling((egoX + Reach - shift) / spacing);
        for (long k = first; k <= last; k++)
        {
            var random = DeterministicRandom.ForKey(worldSeed, k, 11 + side);
            double x = (k * spacing) + random.Uniform(0, 0.5 * spacing) + shift;
            double height = random.Uniform(1.55, 1.92), radius = random.Uniform(0.2, 0.28);
            double clothes = random.Uniform(0.15, 0.5);
            if (!random.Chance(0.5) || Math.Abs(x - egoX) > Reach)
            {
                continue;
            }

            ushort instance = (ushort)(50000 + (side * 5000) + (((k % 5000) + 5000) % 5000));
            var at = new Placement(x, y, ground.SurfaceHeight(x, y), 0, KittiRawLabel.MovingPerson, instance);
            ObjectShapes.Person(into, at, height, radius, clothes);
        }
    }
}
