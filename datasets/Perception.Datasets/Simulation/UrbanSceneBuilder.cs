namespace Perception.Datasets.Simulation;

/// <summary>
/// Lays out a procedural street from a seed: a main road along x with curbs and sidewalks, sometimes a cross street,
/// building blocks behind verges, parked and moving cars, street poles (some with signs), trees, bushes and
/// pedestrians. Sizes follow typical European streets like those of KITTI's Karlsruhe drives.
/// </summary>
public static class UrbanSceneBuilder
{
    /// <summary>Half-length of the built street along x; beyond it there is only terrain.</summary>
    private const double Extent = 110;

    public static UrbanScene Build(int seed, double mountHeight = 1.73)
    {
        var random = new DeterministicRandom(DeterministicRandom.Mix((ulong)(uint)seed ^ 0x243F6A8885A308D3UL));
        // Parking lanes (2.1 m) on both sides and two driving lanes; the sensor car drives in the right-hand lane,
        // centred on y = 0, so the road centre sits to its left and the right parking lane clears it.
        double roadHalfWidth = random.Uniform(5.0, 6.5);
        var street = new StreetLayout(
            RoadCenterY: random.Uniform(1.2, roadHalfWidth - 3.4),
            RoadHalfWidth: roadHalfWidth,
            SidewalkWidth: random.Uniform(2.0, 4.0),
            CurbHeight: random.Uniform(0.10, 0.16),
            CrossStreetX: random.Chance(0.6) ? random.Sign() * random.Uniform(14, 45) : null,
            CrossStreetHalfWidth: random.Uniform(4.0, 6.0));
        var waves = new GroundWave[3];
        for (int i = 0; i < waves.Length; i++)
        {
            double wavenumber = 2 * Math.PI / random.Uniform(5, 20), heading = random.Uniform(0, 2 * Math.PI);
            waves[i] = new GroundWave(random.Uniform(0.002, 0.005), wavenumber * Math.Cos(heading),
                wavenumber * Math.Sin(heading), random.Uniform(0, 2 * Math.PI));
        }

        var ground = new GroundModel(mountHeight, random.Uniform(-0.02, 0.02), random.Uniform(-0.01, 0.01), waves, street);
        var layout = new Layout(random, ground);
        foreach (double side in new[] { 1.0, -1.0 })
        {
            layout.AddStreetSide(side);
        }

        layout.AddCrossStreetBuildings();
        layout.AddMovingCars();
        layout.AddPedestrians();
        return new UrbanScene(ground, layout.Primitives);
    }

    private sealed class Layout(DeterministicRandom random, GroundModel ground)
    {
        private readonly StreetLayout street = ground.Street;
        private readonly List<(double X, double Y)> carCentres = [];

        public List<ScenePrimitive> Primitives { get; } = [];

        public void AddStreetSide(double side)
        {
            double curbY = street.RoadCenterY + (side * street.RoadHalfWidth);
            double outerY = curbY + (side * street.SidewalkWidth);
            double setback = random.Uniform(0, 6);
            AddBuildingRow(side, outerY + (side * setback));
            double treeY = setback >= 2.2 ? outerY + (side * setback * 0.5) : curbY + (side * 0.9);
            AddTrees(treeY);
            AddPoles(side, curbY + (side * 0.45));
            AddParkedCars(side, curbY - (side * 1.05));
            if (setback >= 1.5)
            {
                AddBushes(side, outerY, setback);
            }

            if (setback >= 1.2 && random.Chance(0.5))
            {
                AddHedges(outerY + (side * random.Uniform(0.3, 0.6)));
            }
        }

        public void AddCrossStreetBuildings()
        {
            if (street.CrossStreetX is not double cross)
            {
                return;
            }

            foreach (double xSide in new[] { 1.0, -1.0 })
            {
                double frontX = cross + (xSide * (street.CrossStreetHalfWidth + street.SidewalkWidth + random.Uniform(0.5, 4)));
                foreach (double ySide in new[] { 1.0, -1.0 })
                {
                    for (double along = 16; along < Extent;)
                    {
                        double length = random.Uniform(8, 25), depth = random.Uniform(8, 16);
                        double y = street.RoadCenterY + (ySide * (along + (length / 2)));
                        AddBuilding(frontX + (xSide * depth / 2), y, depth / 2, length / 2);
                        along += length + (random.Chance(0.3) ? random.Uniform(1.5, 8) : 0.2);
                    }
                }
            }
        }

        public void AddMovingCars()
        {
            int count = random.Integer(2, 6);
            for (int i = 0; i < count; i++)
            {
                bool egoLane = random.Chance(0.4);
                double y = egoLane ? random.Uniform(-0.3, 0.3) : (2 * street.RoadCenterY) + random.Uniform(-0.3, 0.3);
                double x = random.Uniform(-60, 60);
                if (!(egoLane && Math.Abs(x) < 12))
                {
                    TryAddCar(x, y, random.Uniform(-0.03, 0.03));
                }
            }
        }

        public void AddPedestrians()
        {
            int count = random.Integer(4, 14);
            for (int i = 0; i < count; i++)
            {
                double side = random.Sign();
                double curbY = street.RoadCenterY + (side * street.RoadHalfWidth);
                double y = curbY + (side * random.Uniform(0.4, street.SidewalkWidth - 0.3));
                double x = random.Uniform(-45, 45);
                double radius = random.Uniform(0.2, 0.28), height = random.Uniform(1.55, 1.92);
                double albedo = random.Uniform(0.15, 0.5);
                if (ground.RegionAt(x, y) == GroundRegion.Sidewalk)
                {
                    double g = ground.SurfaceHeight(x, y);
                    Primitives.Add(new VerticalCylinder(x, y, g - 0.05, g + height, radius, SemanticLabel.Person, albedo));
                }
            }
        }

        private bool InCrossCorridor(double x, double margin) =>
            street.CrossStreetX is double cross
            && Math.Abs(x - cross) < street.CrossStreetHalfWidth + street.SidewalkWidth + margin;

        private void AddBuildingRow(double side, double frontY)
        {
            for (double x = -Extent; x < Extent;)
            {
                double length = random.Uniform(8, 30), depth = random.Uniform(8, 18), inset = random.Uniform(0, 1.5);
                double gap = random.Chance(0.3) ? random.Uniform(1.5, 8) : 0.2;
                if (!InCrossCorridor(x, 1) && !InCrossCorridor(x + length, 1)
                    && !(street.CrossStreetX is double cross && x < cross && x + length > cross))
                {
                    AddBuilding(x + (length / 2), frontY + (side * (inset + (depth / 2))), length / 2, depth / 2);
                }

                x += length + gap;
            }
        }

        private void AddBuilding(double x, double y, double halfX, double halfY)
        {
            double height = random.Uniform(6, 24), albedo = random.Uniform(0.2, 0.55);
            double baseZ = Math.Min(ground.SurfaceHeight(x - halfX, y - halfY), ground.SurfaceHeight(x + halfX, y + halfY)) - 0.5;
            double top = ground.SurfaceHeight(x, y) + height;
            Primitives.Add(new OrientedBox(new Vec3(x, y, (baseZ + top) / 2), new Vec3(halfX, halfY, (top - baseZ) / 2), 0,
                SemanticLabel.Building, albedo));
        }

        private void AddTrees(double y)
        {
            for (double x = -85 + random.Uniform(0, 8); x < 85; x += random.Uniform(6, 12))
            {
                double trunkRadius = random.Uniform(0.12, 0.28), trunkHeight = random.Uniform(2.0, 3.4);
                var radii = new Vec3(random.Uniform(1.8, 3.5), random.Uniform(1.8, 3.5), random.Uniform(1.6, 3.0));
                double bark = random.Uniform(0.18, 0.3), leaves = random.Uniform(0.3, 0.45);
                if (!random.Chance(0.85) || InCrossCorridor(x, 2))
                {
                    continue;
                }

                double g = ground.SurfaceHeight(x, y);
                Primitives.Add(new VerticalCylinder(x, y, g - 0.2, g + trunkHeight + 0.5, trunkRadius, SemanticLabel.Trunk, bark));
                Primitives.Add(new Ellipsoid(new Vec3(x, y, g + trunkHeight + (0.7 * radii.Z)), radii,
                    SemanticLabel.Vegetation, leaves));
            }
        }

        private void AddPoles(double side, double y)
        {
            for (double x = -95 + random.Uniform(0, 10); x < 95; x += random.Uniform(16, 32))
            {
                double radius = random.Uniform(0.06, 0.12), height = random.Uniform(4, 8.5);
                bool sign = random.Chance(0.35);
                double signHeight = random.Uniform(2.2, 2.9);
                if (InCrossCorridor(x, 1))
                {
                    continue;
                }

                double g = ground.SurfaceHeight(x, y);
                Primitives.Add(new VerticalCylinder(x, y, g - 0.1, g + height, radius, SemanticLabel.Pole, 0.45));
                if (sign)
                {
                    // A plate facing along the street, hung off the pole toward the road.
                    var centre = new Vec3(x, y - (side * (radius + 0.36)), g + signHeight);
                    Primitives.Add(new OrientedBox(centre, new Vec3(0.03, 0.35, 0.35), 0, SemanticLabel.TrafficSign, 0.95));
                }
            }
        }

        private void AddParkedCars(double side, double laneY)
        {
            for (double x = -75 + random.Uniform(0, 5); x < 75;)
            {
                double length = random.Uniform(3.9, 4.9), gap = random.Uniform(0.6, 5);
                bool parked = random.Chance(0.45);
                double yaw = random.Uniform(-0.05, 0.05) + (random.Chance(0.5) ? Math.PI : 0);
                double centre = x + (length / 2);
                if (parked && !InCrossCorridor(centre, 3))
                {
                    TryAddCar(centre, laneY - (side * random.Uniform(0, 0.2)), yaw, length);
                }

                x += length + gap;
            }
        }

        private void TryAddCar(double x, double y, double yaw, double? carLength = null)
        {
            double length = carLength ?? random.Uniform(3.9, 4.9), width = random.Uniform(1.7, 1.95);
            double paint = random.Uniform(0.08, 0.85);
            // Keep cars apart, and out of the sensor vehicle's own footprint around the origin.
            bool clash = carCentres.Any(c => Math.Abs(c.X - x) < length + 0.3 && Math.Abs(c.Y - y) < width + 0.2);
            if (clash || (Math.Abs(x) < (length / 2) + 3 && Math.Abs(y) < (width / 2) + 1.2))
            {
                return;
            }

            carCentres.Add((x, y));
            double g = ground.SurfaceHeight(x, y);
            double cos = Math.Cos(yaw), sin = Math.Sin(yaw);
            Primitives.Add(new OrientedBox(new Vec3(x, y, g + 0.64), new Vec3(length / 2, width / 2, 0.36), yaw,
                SemanticLabel.Car, paint));
            var cabin = new Vec3(x - (0.08 * length * cos), y - (0.08 * length * sin), g + 1.24);
            Primitives.Add(new OrientedBox(cabin, new Vec3(0.27 * length, (width / 2) - 0.07, 0.24), yaw,
                SemanticLabel.Car, 0.1));
        }

        /// <summary>Trimmed hedges along the back of the sidewalk, in segments with gaps (driveways, gates).</summary>
        private void AddHedges(double y)
        {
            for (double x = -90 + random.Uniform(0, 10); x < 90;)
            {
                double length = random.Uniform(5, 25), height = random.Uniform(0.8, 1.6), width = random.Uniform(0.6, 1.0);
                double leaves = random.Uniform(0.3, 0.45);
                if (!InCrossCorridor(x, 1) && !InCrossCorridor(x + length, 1))
                {
                    double g = ground.SurfaceHeight(x + (length / 2), y);
                    Primitives.Add(new OrientedBox(new Vec3(x + (length / 2), y, g + (height / 2) - 0.1),
                        new Vec3(length / 2, width / 2, (height / 2) + 0.1), 0, SemanticLabel.Vegetation, leaves));
                }

                x += length + random.Uniform(2, 12);
            }
        }

        private void AddBushes(double side, double outerY, double setback)
        {
            int count = random.Integer(2, 8);
            for (int i = 0; i < count; i++)
            {
                double x = random.Uniform(-80, 80), y = outerY + (side * random.Uniform(0.5, setback - 0.3));
                double half = Math.Max(0.4, (setback / 2) - 0.2);
                var radii = new Vec3(random.Uniform(0.5, 1.4), Math.Min(random.Uniform(0.5, 1.2), half), random.Uniform(0.35, 0.8));
                double leaves = random.Uniform(0.3, 0.45);
                if (!InCrossCorridor(x, 1))
                {
                    Primitives.Add(new Ellipsoid(new Vec3(x, y, ground.SurfaceHeight(x, y) + (0.5 * radii.Z)), radii,
                        SemanticLabel.Vegetation, leaves));
                }
            }
        }
    }
}
