namespace Perception.Datasets.Simulation;

/// <summary>
/// The ground layout of one 100 m block: maybe a cross street, parking bays and plazas on each side (side 0 is
/// left of the road centre, +y; side 1 right). Every block has at least one bay per side and one plaza.
/// </summary>
internal sealed class BlockPlan
{
    /// <summary>How far behind the sidewalk a plaza reaches (it runs on under the buildings).</summary>
    public const double PlazaDepth = 12;

    private BlockPlan(int block, StreetLayout street)
    {
        Block = block;
        Street = street;
        X0 = (block * UrbanWorld.BlockLength) - (UrbanWorld.BlockLength / 2);
        X1 = X0 + UrbanWorld.BlockLength;
    }

    public int Block { get; }

    public StreetLayout Street { get; }

    public double X0 { get; }

    public double X1 { get; }

    public double? CrossStreet { get; private set; }

    public List<(double Start, double End)>[] Bays { get; } = [[], []];

    public List<(double Start, double End)>[] Plazas { get; } = [[], []];

    public static BlockPlan Create(DeterministicRandom random, StreetLayout street, int block)
    {
        var plan = new BlockPlan(block, street);
        if (random.Chance(0.4))
        {
            plan.CrossStreet = plan.X0 + random.Uniform(30, 70);
        }

        for (int side = 0; side < 2; side++)
        {
            plan.AddBays(random, side);
        }

        int plazaSide = random.Integer(0, 1);
        for (int side = 0; side < 2; side++)
        {
            if (side == plazaSide || random.Chance(0.35))
            {
                plan.AddStretch(plan.Plazas[side], random, random.Uniform(15, 40));
            }
        }

        return plan;
    }

    public static StreetPlan Merge(IReadOnlyList<BlockPlan> plans) => new(
        [.. plans.Where(p => p.CrossStreet.HasValue).Select(p => p.CrossStreet!.Value)],
        [new IntervalSet(plans.SelectMany(p => p.Bays[0])), new IntervalSet(plans.SelectMany(p => p.Bays[1]))],
        [new IntervalSet(plans.SelectMany(p => p.Plazas[0])), new IntervalSet(plans.SelectMany(p => p.Plazas[1]))],
        PlazaDepth);

    /// <summary>Whether x is within <paramref name="margin"/> of the cross street's sidewalks.</summary>
    public bool InCrossCorridor(double x, double margin) =>
        CrossStreet is double cross
        && Math.Abs(x - cross) < Street.CrossStreetHalfWidth + Street.SidewalkWidth + margin;

    /// <summary>The parts of the block clear of the cross street corridor (with a margin), in order.</summary>
    public List<(double Start, double End)> Clear(double margin)
    {
        if (CrossStreet is not double cross)
        {
            return [(X0, X1)];
        }

        double half = Street.CrossStreetHalfWidth + Street.SidewalkWidth + margin;
        return [(X0, cross - half), (cross + half, X1)];
    }

    /// <summary>The parts of the parking lane on a side that are neither bays nor in the junction.</summary>
    public List<(double Start, double End)> FreeParkingLane(int side)
    {
        var free = new List<(double Start, double End)>();
        foreach ((double start, double end) in Clear(1))
        {
            double at = start;
            foreach ((double bayStart, double bayEnd) in Bays[side].Where(b => b.End > start && b.Start < end))
            {
                free.Add((at, Math.Max(at, bayStart)));
                at = Math.Max(at, bayEnd);
            }

            free.Add((at, end));
        }

        return [.. free.Where(f => f.End - f.Start > 0.5)];
    }

    private void AddBays(DeterministicRandom random, int side)
    {
        foreach ((double start, double end) in Clear(2))
        {
            for (double x = start + random.Uniform(1, 8); x < end - 8;)
            {
                double bayEnd = Math.Min(x + random.Uniform(12, 40), end - 1);
                if (random.Chance(0.6) && bayEnd - x >= 8)
                {
                    Bays[side].Add((x, bayEnd));
                }

                x = bayEnd + random.Uniform(4, 20);
            }
        }

        if (Bays[side].Count == 0)
        {
            AddStretch(Bays[side], random, random.Uniform(15, 30));
        }
    }

    /// <summary>Adds an interval of about <paramref name="length"/> in the longest clear part of the block.</summary>
    private void AddStretch(List<(double Start, double End)> into, DeterministicRandom random, double length)
    {
        (double start, double end) = Clear(2).MaxBy(c => c.End - c.Start);
        length = Math.Min(length, end - start - 2);
        double at = start + 1 + random.Uniform(0, end - start - 2 - length);
        into.Add((at, at + length));
    }
}
