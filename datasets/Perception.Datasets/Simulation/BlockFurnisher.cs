using Perception.Datasets.SemanticKitti;

namespace Perception.Datasets.Simulation;

/// <summary>
/// Puts the static objects of one block in place: building rows, street poles and signs, trees, fences, hedges and
/// bushes, parked vehicles in the bays, a bus at a stop, riders waiting at the curb, parked bicycles and standing
/// people. Sidewalk objects keep to the strip along the curb so walkers (<see cref="Traffic"/>) pass them; every
/// block holds at least one truck, trailer, motorcycle, fence, two signs and one waiting rider of each
/// kind, so a few scans anywhere show all 19 classes.
/// </summary>
internal sealed class BlockFurnisher
{
    private const int InstancesPerBlock = 150;
    private readonly DeterministicRandom random;
    private readonly GroundModel ground;
    private readonly BlockPlan plan;
    private readonly StreetLayout street;
    private readonly List<ScenePrimitive> into;

    // Stretches along x already taken, per side: the strip along the curb, the verge behind the sidewalk, and the
    // parking lane outside the bays.
    private readonly List<(double Start, double End)>[] curbStrip = [[], []];
    private readonly List<(double Start, double End)>[] verge = [[], []];
    private readonly List<(double Start, double End)>[] laneUsed = [[], []];
    private readonly double[] setbacks = new double[2];
    private int things;
    private int signs;

    private BlockFurnisher(DeterministicRandom random, GroundModel ground, BlockPlan plan, List<ScenePrimitive> into)
    {
        this.random = random;
        this.ground = ground;
        this.plan = plan;
        this.into = into;
        street = ground.Street;
    }

    public static void Furnish(DeterministicRandom random, GroundModel ground, BlockPlan plan,
        List<ScenePrimitive> into) => new BlockFurnisher(random, ground, plan, into).Run();

    private void Run()
    {
        // Setback: the verge between sidewalk and building fronts. One side always has room for a fence.
        setbacks[0] = random.Uniform(0, 6);
        setbacks[1] = random.Uniform(0, 6);
        if (Math.Max(setbacks[0], setbacks[1]) < 1)
        {
            setbacks[random.Integer(0, 1)] = random.Uniform(1, 6);
        }

        bool fenced = false;
        for (int side = 0; side < 2; side++)
        {
            AddBuildingRow(side);
            AddPoles(side);
            AddTrees(side);
            fenced |= AddBackEdge(side, forceFence: false);
            AddBushes(side);
        }

        if (!fenced)
        {
            AddBackEdge(setbacks[0] >= setbacks[1] ? 0 : 1, forceFence: true);
        }

        AddCrossStreetBuildings();
        while (signs < 2 && AddSignPost())
        {
        }

        AddParkedVehicles();
        AddBusStop();
        AddWaitingRider(KittiRawLabel.Bicyclist, 0);
        AddWaitingRider(KittiRawLabel.Bicyclist, 1);
        AddWaitingRider(KittiRawLabel.Motorcyclist, random.Integer(0, 1));
        AddBicyclesAtTheCurb();
        AddParkedBicycles();

        int people = random.Integer(2, 6);
        for (int i = 0; i < people; i++)
        {
            AddStandingPerson();
        }
    }

    private static double Sign(int side) => side == 0 ? 1 : -1;

    /// <summary>Vehicles keep right: the left side's traffic (and parking) heads −x, the right side's +x.</summary>
    private static double TravelYaw(int side) => side == 0 ? Math.PI : 0;

    private double CurbY(int side) => street.RoadCenterY + (Sign(side) * street.RoadHalfWidth);

    private double OuterY(int side) => CurbY(side) + (Sign(side) * street.SidewalkWidth);

    private ushort NextInstance()
    {
        int slot = ((plan.Block % 250) + 250) % 250;
        return (ushort)(1 + (slot * InstancesPerBlock) + Math.Min(things++, InstancesPerBlock - 1));
    }

    private Placement At(double x, double y, double yaw, KittiRawLabel label, bool thing) =>
        new(x, y, ground.SurfaceHeight(x, y), yaw, label, thing ? NextInstance() : (ushort)0);

    private static bool Free(List<(double Start, double End)> taken, double start, double end) =>
        taken.TrueForAll(t => end <= t.Start || start >= t.End);

    private bool Clear(double start, double end, double margin) =>
        start >= plan.X0 && end <= plan.X1 && !plan.InCrossCorridor(start, margin) && !plan.InCrossCorridor(end, margin)
        && !(plan.CrossStreet is double cross && start < cross && end > cross);

    /// <summary>A random free stretch of <paramref name="length"/> in the block, clear of the junction.</summary>
    private double? FindStretch(List<(double Start, double End)> taken, double length, double margin)
    {
        for (int attempt = 0; attempt < 30; attempt++)
        {
            double start = random.Uniform(plan.X0 + 1, plan.X1 - 1 - length);
            if (Clear(start, start + length, margin) && Free(taken, start, start + length))
            {
                taken.Add((start, start + length));
                return start;
            }
        }

        return null;
    }

    private void AddBuildingRow(int side)
    {
        double frontY = OuterY(side) + (Sign(side) * setbacks[side]);
        for (double x = plan.X0; x < plan.X1 - 5;)
        {
            double length = random.Uniform(8, 30), depth = random.Uniform(8, 18), inset = random.Uniform(0, 1.5);
            double gap = random.Chance(0.3) ? random.Uniform(1.5, 8) : 0.2;
            double end = Math.Min(x + length, plan.X1 - 0.2);
            if (end - x >= 5 && Clear(x, end, 1))
            {
                double y = frontY + (Sign(side) * (inset + (depth / 2)));
                AddBuilding((x + end) / 2, y, (end - x) / 2, depth / 2);
            }

            x += length + gap;
        }
    }

    private void AddBuilding(double x, double y, double halfX, double halfY)
    {
        double height = random.Uniform(6, 24), albedo = random.Uniform(0.2, 0.55);
        double baseZ = Math.Min(ground.SurfaceHeight(x - halfX, y - halfY), ground.SurfaceHeight(x + halfX, y + halfY))
            - 0.5;
        double top = ground.SurfaceHeight(x, y) + height;
        into.Add(new OrientedBox(new Vec3(x, y, (baseZ + top) / 2), new Vec3(halfX, halfY, (top - baseZ) / 2), 0,
            KittiRawLabel.Building, albedo));
    }

    private void AddCrossStreetBuildings()
    {
        if (plan.CrossStreet is not double cross)
        {
            return;
        }

        foreach (double xSide in new[] { 1.0, -1.0 })
        {
            double setback = street.CrossStreetHalfWidth + street.SidewalkWidth + random.Uniform(0.5, 4);
            double frontX = cross + (xSide * setback);
            foreach (double ySide in new[] { 1.0, -1.0 })
            {
                for (double along = 16; along < 110;)
                {
                    double length = random.Uniform(8, 25), depth = random.Uniform(8, 16);
                    double y = street.RoadCenterY + (ySide * (along + (length / 2)));
                    AddBuilding(frontX + (xSide * depth / 2), y, depth / 2, length / 2);
                    along += length + (random.Chance(0.3) ? random.Uniform(1.5, 8) : 0.2);
                }
            }
        }
    }

    /// <summary>Street lights along the curb, some carrying a sign plate that faces the traffic.</summary>
    private void AddPoles(int side)
    {
        double y = CurbY(side) + (Sign(side) * 0.45);
        for (double x = plan.X0 + random.Uniform(0, 10); x < plan.X1 - 1; x += random.Uniform(16, 32))
        {
            double radius = random.Uniform(0.06, 0.12), height = random.Uniform(4, 8.5);
            bool sign = random.Chance(0.35);
            double signHeight = random.Uniform(2.2, 2.9);
            if (!Clear(x - 0.3, x + 0.3, 1))
            {
                continue;
            }

            curbStrip[side].Add((x - 0.3, x + 0.3));
            double g = ground.SurfaceHeight(x, y);
            into.Add(new VerticalCylinder(x, y, g - 0.1, g + height, radius, KittiRawLabel.Pole, 0.45));
            if (sign)
            {
                var centre = new Vec3(x, y - (Sign(side) * (radius + 0.36)), g + signHeight);
                into.Add(new OrientedBox(centre, new Vec3(0.03, 0.35, 0.35), 0, KittiRawLabel.TrafficSign, 0.95));
                signs++;
            }
        }
    }

    /// <summary>A short post with a plate on top, at the curb.</summary>
    private bool AddSignPost()
    {
        int side = random.Integer(0, 1);
        if (FindStretch(curbStrip[side], 0.6, 1) is not double start)
        {
            return false;
        }

        double x = start + 0.3, y = CurbY(side) + (Sign(side) * 0.45), g = ground.SurfaceHeight(x, y);
        double height = random.Uniform(2.6, 3.2);
        into.Add(new VerticalCylinder(x, y, g - 0.1, g + height, 0.04, KittiRawLabel.Pole, 0.5));
        // The plate faces oncoming traffic of its side, just in front of the post.
        double facing = Math.Cos(TravelYaw(side));
        into.Add(new OrientedBox(new Vec3(x - (facing * 0.07), y, g + height - 0.35), new Vec3(0.03, 0.32, 0.32), 0,
            KittiRawLabel.TrafficSign, 0.95));
        signs++;
        return true;
    }

    private void AddTrees(int side)
    {
        bool curbside = setbacks[side] < 2.2;
        double y = curbside ? CurbY(side) + (Sign(side) * 0.9) : OuterY(side) + (Sign(side) * setbacks[side] * 0.5);
        for (double x = plan.X0 + random.Uniform(0, 8); x < plan.X1 - 1; x += random.Uniform(6, 12))
        {
            double trunkRadius = random.Uniform(0.12, 0.28), trunkHeight = random.Uniform(2.0, 3.4);
            // Crowns over the road stay narrow enough to clear the driving lane.
            var radii = new Vec3(random.Uniform(1.8, 3.5), random.Uniform(1.8, curbside ? 2.5 : 3.5),
                random.Uniform(1.6, 3.0));
            double bark = random.Uniform(0.18, 0.3), leaves = random.Uniform(0.3, 0.45);
            List<(double Start, double End)> strip = curbside ? curbStrip[side] : verge[side];
            if (!random.Chance(0.85) || !Clear(x, x, 2) || !Free(strip, x - 0.4, x + 0.4))
            {
                continue;
            }

            strip.Add((x - 0.4, x + 0.4));
            double g = ground.SurfaceHeight(x, y);
            into.Add(new VerticalCylinder(x, y, g - 0.2, g + trunkHeight + 0.5, trunkRadius, KittiRawLabel.Trunk,
                bark));
            into.Add(new Ellipsoid(new Vec3(x, y, g + trunkHeight + (0.9 * radii.Z)), radii, KittiRawLabel.Vegetation,
                leaves));
        }
    }

    /// <summary>Fences and trimmed hedges along the back of the sidewalk, in segments; none on plazas.</summary>
    private bool AddBackEdge(int side, bool forceFence)
    {
        if (setbacks[side] < 0.6 && !forceFence)
        {
            return false;
        }

        bool fenced = false;
        for (double x = plan.X0 + random.Uniform(0, 5); x < plan.X1 - 3;)
        {
            double length = random.Uniform(5, 25), draw = random.NextDouble();
            double end = Math.Min(x + length, plan.X1 - 0.5);
            double mid = (x + end) / 2;
            bool fence = forceFence ? !fenced : draw < 0.45;
            bool hedge = !forceFence && draw is >= 0.45 and < 0.75;
            if ((fence || hedge) && end - x > 2 && Clear(x, end, 1) && !ground.IsPlaza(side, mid))
            {
                double g = ground.SurfaceHeight(mid, OuterY(side));
                if (fence)
                {
                    double height = random.Uniform(1.0, 1.8);
                    var centre = new Vec3(mid, OuterY(side) + (Sign(side) * 0.3), g + (height / 2) - 0.05);
                    into.Add(new OrientedBox(centre, new Vec3((end - x) / 2, 0.025, (height / 2) + 0.05), 0,
                        KittiRawLabel.Fence, random.Uniform(0.25, 0.6)));
                    fenced = true;
                }
                else
                {
                    double height = random.Uniform(0.8, 1.6), width = random.Uniform(0.6, 1.0);
                    double y = OuterY(side) + (Sign(side) * (0.1 + (width / 2)));
                    var centre = new Vec3(mid, y, g + (height / 2) - 0.1);
                    into.Add(new OrientedBox(centre, new Vec3((end - x) / 2, width / 2, (height / 2) + 0.1), 0,
                        KittiRawLabel.Vegetation, random.Uniform(0.3, 0.45)));
                    verge[side].Add((x, end));
                }
            }

            x += length + random.Uniform(1, 8);
        }

        return fenced;
    }

    private void AddBushes(int side)
    {
        double setback = setbacks[side];
        if (setback < 1.5)
        {
            return;
        }

        int count = random.Integer(1, 4);
        for (int i = 0; i < count; i++)
        {
            double x = random.Uniform(plan.X0 + 1, plan.X1 - 1);
            double y = OuterY(side) + (Sign(side) * random.Uniform(0.5, setback - 0.3));
            double half = Math.Max(0.4, (setback / 2) - 0.2);
            var radii = new Vec3(random.Uniform(0.5, 1.4), Math.Min(random.Uniform(0.5, 1.2), half),
                random.Uniform(0.35, 0.8));
            double leaves = random.Uniform(0.3, 0.45);
            if (Clear(x, x, 1) && Free(verge[side], x - radii.X, x + radii.X))
            {
                verge[side].Add((x - radii.X, x + radii.X));
                into.Add(new Ellipsoid(new Vec3(x, y, ground.SurfaceHeight(x, y) + (0.5 * radii.Z)), radii,
                    KittiRawLabel.Vegetation, leaves));
            }
        }
    }

    /// <summary>Fills the bays with parked vehicles; each block owes a truck, a trailer and two motorcycles.</summary>
    private void AddParkedVehicles()
    {
        var owed = new List<KittiRawLabel>
        {
            KittiRawLabel.Truck, KittiRawLabel.OtherVehicle, KittiRawLabel.Motorcycle, KittiRawLabel.Motorcycle,
        };
        for (int side = 0; side < 2; side++)
        {
            foreach ((double start, double end) in plan.Bays[side])
            {
                for (double x = start + random.Uniform(0.3, 2); ;)
                {
                    KittiRawLabel kind = owed.Count > 0 && random.Chance(0.35) ? owed[0] : RandomParkedKind();
                    double length = VehicleLength(kind);
                    if (x + length > end)
                    {
                        break;
                    }

                    if (random.Chance(0.8) || kind != KittiRawLabel.Car)
                    {
                        owed.Remove(kind);
                        AddVehicle(side, x + (length / 2), kind, length);
                    }

                    x += length + random.Uniform(0.6, 3);
                }
            }
        }

        // Bays too short for what is still owed: the vehicle parks in the lane outside them.
        foreach (KittiRawLabel kind in owed)
        {
            int side = random.Integer(0, 1);
            double length = VehicleLength(kind);
            if (FindLaneStretch(side, length + 1) is double start)
            {
                AddVehicle(side, start + 0.5 + (length / 2), kind, length);
            }
        }
    }

    private KittiRawLabel RandomParkedKind()
    {
        double draw = random.NextDouble();
        return draw < 0.84 ? KittiRawLabel.Car : draw < 0.89 ? KittiRawLabel.Truck
            : draw < 0.93 ? KittiRawLabel.OtherVehicle : KittiRawLabel.Motorcycle;
    }

    private double VehicleLength(KittiRawLabel kind) => kind switch
    {
        KittiRawLabel.Truck => random.Uniform(6.5, 8.5),
        KittiRawLabel.OtherVehicle => random.Uniform(4.0, 6.0) + 1.4, // with the drawbar
        KittiRawLabel.Motorcycle => 2.1,
        KittiRawLabel.Bus => random.Uniform(11.5, 12.5),
        _ => random.Uniform(3.9, 4.9),
    };

    /// <summary>A parked vehicle against the curb, heading with its side's traffic.</summary>
    private void AddVehicle(int side, double x, KittiRawLabel kind, double length)
    {
        double width = kind switch
        {
            KittiRawLabel.Truck or KittiRawLabel.Bus => 2.5,
            KittiRawLabel.OtherVehicle => 2.2,
            KittiRawLabel.Motorcycle => 0.8,
            _ => random.Uniform(1.7, 1.95),
        };
        double yaw = TravelYaw(side) + random.Uniform(-0.03, 0.03);
        double y = CurbY(side) - (Sign(side) * ((width / 2) + (width > 2 ? 0.05 : random.Uniform(0.1, 0.25))));
        double paint = random.Uniform(0.08, 0.85);
        Placement at = At(x, y, yaw, kind, thing: true);
        switch (kind)
        {
            case KittiRawLabel.Truck:
                ObjectShapes.Truck(into, at, length, random.Uniform(3.2, 3.8), paint);
                break;
            case KittiRawLabel.OtherVehicle:
                ObjectShapes.Trailer(into, at with { X = x - (0.7 * Math.Cos(yaw)), Y = y - (0.7 * Math.Sin(yaw)) },
                    length - 1.4, random.Uniform(2.2, 2.7), paint);
                break;
            case KittiRawLabel.Motorcycle:
                ObjectShapes.Motorcycle(into, at, paint);
                break;
            case KittiRawLabel.Bus:
                ObjectShapes.Bus(into, at, length, paint);
                break;
            default:
                ObjectShapes.Car(into, at, length, width, paint);
                break;
        }
    }

    /// <summary>A free stretch of the parking lane outside the bays (a no-parking zone, a stop).</summary>
    private double? FindLaneStretch(int side, double length)
    {
        foreach ((double start, double end) in plan.FreeParkingLane(side).OrderBy(_ => random.NextDouble()).ToList())
        {
            if (end - start < length)
            {
                continue;
            }

            double at = start + random.Uniform(0, end - start - length);
            if (Free(laneUsed[side], at, at + length))
            {
                laneUsed[side].Add((at, at + length));
                return at;
            }
        }

        return null;
    }

    private void AddBusStop()
    {
        if (!random.Chance(0.3))
        {
            return;
        }

        int side = random.Integer(0, 1);
        double length = VehicleLength(KittiRawLabel.Bus);
        if (FindLaneStretch(side, length + 2) is double start)
        {
            AddVehicle(side, start + 1 + (length / 2), KittiRawLabel.Bus, length);
        }
    }

    /// <summary>A cyclist or motorcyclist stopped at the curb outside the bays.</summary>
    private void AddWaitingRider(KittiRawLabel kind, int side)
    {
        bool motorcycle = kind == KittiRawLabel.Motorcyclist;
        double length = motorcycle ? 2.2 : 1.8;
        if (FindLaneStretch(side, length + 1) is not double start)
        {
            side = 1 - side;
            if (FindLaneStretch(side, length + 1) is not double other)
            {
                return;
            }

            start = other;
        }

        double x = start + 0.5 + (length / 2), y = CurbY(side) - (Sign(side) * (motorcycle ? 0.9 : 0.7));
        ObjectShapes.Rider(into, At(x, y, TravelYaw(side), kind, thing: true), motorcycle, random.Uniform(0.15, 0.5));
    }

    /// <summary>
    /// Two to five bicycles side by side across the verge behind the fence line, or, where the verge is narrow or
    /// full, two or three end to end in the strip along the curb.
    /// </summary>
    private void AddParkedBicycles()
    {
        int side = random.Integer(0, 1);
        int count = random.Integer(2, 5);
        if (setbacks[side] >= 2.3 && FindStretch(verge[side], (count * 0.75) + 0.4, 1) is double start)
        {
            for (int i = 0; i < count; i++)
            {
                AddBicycle(side, start + 0.2 + (0.75 * (i + 0.5)), OuterY(side) + (Sign(side) * 1.325),
                    Sign(side) * Math.PI / 2);
            }

            return;
        }

        count = Math.Min(count, 3);
        if (FindStretch(curbStrip[side], (count * 2.0) + 0.4, 1) is double curbStart)
        {
            for (int i = 0; i < count; i++)
            {
                AddBicycle(side, curbStart + 0.2 + (2.0 * (i + 0.5)), CurbY(side) + (Sign(side) * 0.8),
                    TravelYaw(side) + random.Uniform(-0.1, 0.1));
            }
        }
    }

    /// <summary>
    /// Two or three bicycles end to end in the strip along the curb where no bay is in front of them, so the road
    /// sees them.
    /// </summary>
    private void AddBicyclesAtTheCurb()
    {
        int count = random.Integer(2, 3);
        double length = (count * 2.0) + 0.4;
        int first = random.Integer(0, 1);
        foreach (int side in new[] { first, 1 - first })
        {
            foreach ((double start, double end) in plan.FreeParkingLane(side).Where(f => f.End - f.Start >= length))
            {
                for (int attempt = 0; attempt < 10; attempt++)
                {
                    double at = random.Uniform(start, end - length);
                    if (Clear(at, at + length, 1) && Free(curbStrip[side], at, at + length))
                    {
                        curbStrip[side].Add((at, at + length));
                        for (int i = 0; i < count; i++)
                        {
                            AddBicycle(side, at + 0.2 + (2.0 * (i + 0.5)), CurbY(side) + (Sign(side) * 0.8),
                                TravelYaw(side) + random.Uniform(-0.1, 0.1));
                        }

                        return;
                    }
                }
            }
        }
    }

    private void AddBicycle(int side, double x, double y, double yaw) =>
        ObjectShapes.Bicycle(into, At(x, y, yaw, KittiRawLabel.Bicycle, thing: true), random.Uniform(0.1, 0.7));

    private void AddStandingPerson()
    {
        int side = random.Integer(0, 1);
        if (FindStretch(curbStrip[side], 0.8, 0) is not double start)
        {
            return;
        }

        double x = start + 0.4, y = CurbY(side) + (Sign(side) * random.Uniform(0.65, 0.95));
        ObjectShapes.Person(into, At(x, y, 0, KittiRawLabel.Person, thing: true), random.Uniform(1.55, 1.92),
            random.Uniform(0.2, 0.28), random.Uniform(0.15, 0.5));
    }
}
