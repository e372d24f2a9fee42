namespace Perception.Datasets.Simulation;

/// <summary>
/// A seeded street world: a main road along +x built block by block, each 100 m block from its own random stream
/// (so the streets near a place are the same however long the built stretch is), plus moving traffic. The
/// cross-section and the ground come from the seed alone.
/// </summary>
internal sealed class UrbanWorld
{
    public const double BlockLength = 100;
    private readonly Traffic traffic;

    /// <summary>Builds the blocks that cover [xMin − 150 m, xMax + 150 m].</summary>
    public UrbanWorld(int seed, double mountHeight, double xMin, double xMax)
    {
        WorldSeed = DeterministicRandom.Mix((ulong)(uint)seed ^ 0x243F6A8885A308D3UL);
        var random = DeterministicRandom.ForKey(WorldSeed, 0, 0);
        // Parking lanes wide enough for a truck; the sensor car drives in the middle of the right-hand driving lane,
        // centred on y = 0, so the road centre sits half a lane to its left and nothing parked comes within 1.4 m.
        double parkingLane = random.Uniform(2.3, 2.5), drivingLane = random.Uniform(3.8, 4.6);
        var street = new StreetLayout(
            RoadCenterY: drivingLane / 2,
            RoadHalfWidth: drivingLane + parkingLane,
            ParkingLaneWidth: parkingLane,
            SidewalkWidth: random.Uniform(2.0, 4.0),
            CurbHeight: random.Uniform(0.10, 0.16),
            CrossStreetHalfWidth: random.Uniform(4.0, 6.0));
        var waves = new GroundWave[3];
        for (int i = 0; i < waves.Length; i++)
        {
            double wavenumber = 2 * Math.PI / random.Uniform(5, 20), heading = random.Uniform(0, 2 * Math.PI);
            waves[i] = new GroundWave(random.Uniform(0.002, 0.005), wavenumber * Math.Cos(heading),
                wavenumber * Math.Sin(heading), random.Uniform(0, 2 * Math.PI));
        }

        double slopeX = random.Uniform(-0.02, 0.02), slopeY = random.Uniform(-0.01, 0.01);
        int firstBlock = BlockOf(xMin - 150), lastBlock = BlockOf(xMax + 150);
        var plans = new List<BlockPlan>();
        for (int block = firstBlock; block <= lastBlock; block++)
        {
            plans.Add(BlockPlan.Create(DeterministicRandom.ForKey(WorldSeed, block, 1), street, block));
        }

        Ground = new GroundModel(mountHeight, slopeX, slopeY, waves, street, BlockPlan.Merge(plans));
        Route = new EgoRoute(DeterministicRandom.ForKey(WorldSeed, 0, 4), Ground, mountHeight);
        var primitives = new List<ScenePrimitive>();
        foreach (BlockPlan plan in plans)
        {
            BlockFurnisher.Furnish(DeterministicRandom.ForKey(WorldSeed, plan.Block, 2), Ground, plan, primitives);
        }

        StaticPrimitives = primitives;
        traffic = new Traffic(DeterministicRandom.ForKey(WorldSeed, 0, 3), WorldSeed, Ground, Route);
    }

    public ulong WorldSeed { get; }

    public GroundModel Ground { get; }

    public EgoRoute Route { get; }

    public IReadOnlyList<ScenePrimitive> StaticPrimitives { get; }

    public static int BlockOf(double x) => (int)Math.Floor((x + (BlockLength / 2)) / BlockLength);

    /// <summary>The world at <paramref name="time"/> seconds, with the moving actors near the ego vehicle.</summary>
    public UrbanScene SceneAt(double time)
    {
        var primitives = new List<ScenePrimitive>(StaticPrimitives);
        traffic.AddActors(time, primitives);
        return new UrbanScene(Ground, primitives);
    }
}
