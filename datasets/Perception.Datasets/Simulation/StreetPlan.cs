namespace Perception.Datasets.Simulation;

/// <summary>
/// The street's cross-section, the same all along it: a main road along x centred at <see cref="RoadCenterY"/>,
/// with a parking lane of <see cref="ParkingLaneWidth"/> inside each curb, flanked by sidewalks raised by
/// <see cref="CurbHeight"/>. Cross streets are <see cref="CrossStreetHalfWidth"/> wide on each side of their axis.
/// </summary>
public sealed record StreetLayout(
    double RoadCenterY, double RoadHalfWidth, double ParkingLaneWidth, double SidewalkWidth, double CurbHeight,
    double CrossStreetHalfWidth);

/// <summary>What varies along the street: cross streets, parking bays and paved plazas, each side separately.</summary>
internal sealed class StreetPlan(
    IReadOnlyList<double> crossStreets, IntervalSet[] parkingBays, IntervalSet[] plazas, double plazaDepth)
{
    private readonly double[] crossStreets = [.. crossStreets.Order()];

    /// <summary>Stretches of the parking lane that are marked bays, per side (0 = left, +y; 1 = right).</summary>
    public IntervalSet ParkingBays(int side) => parkingBays[side];

    /// <summary>Stretches where the verge behind the sidewalk is paved (other-ground), per side.</summary>
    public IntervalSet Plazas(int side) => plazas[side];

    /// <summary>How far behind the sidewalk a plaza reaches.</summary>
    public double PlazaDepth { get; } = plazaDepth;

    /// <summary>Signed distance along x from the nearest cross street axis, less its half width.</summary>
    public double CrossStreetDistance(double x, double halfWidth)
    {
        int at = Array.BinarySearch(crossStreets, x);
        if (at >= 0)
        {
            return -halfWidth;
        }

        at = ~at;
        double distance = double.PositiveInfinity;
        if (at < crossStreets.Length)
        {
            distance = crossStreets[at] - x;
        }

        if (at > 0)
        {
            distance = Math.Min(distance, x - crossStreets[at - 1]);
        }

        return distance - halfWidth;
    }

    /// <summary>The cross street axes between two x values (either order), for the curb faces a ray can meet.</summary>
    public ReadOnlySpan<double> CrossStreetsBetween(double a, double b, double margin)
    {
        double low = Math.Min(a, b) - margin, high = Math.Max(a, b) + margin;
        int first = LowerBound(crossStreets, low), last = LowerBound(crossStreets, high);
        return crossStreets.AsSpan(first, last - first);
    }

    private static int LowerBound(double[] sorted, double value)
    {
        int at = Array.BinarySearch(sorted, value);
        return at >= 0 ? at : ~at;
    }
}

/// <summary>Disjoint half-open intervals [start, end) along x, sorted, with a lookup in O(log n).</summary>
internal sealed class IntervalSet
{
    private readonly double[] starts;
    private readonly double[] ends;

    public IntervalSet(IEnumerable<(double Start, double End)> intervals)
    {
        (double Start, double End)[] sorted = [.. intervals.Where(i => i.End > i.Start).OrderBy(i => i.Start)];
        for (int i = 1; i < sorted.Length; i++)
        {
            if (sorted[i].Start < sorted[i - 1].End)
            {
                throw new ArgumentException($"Intervals overlap at x = {sorted[i].Start}.", nameof(intervals));
            }
        }

        starts = [.. sorted.Select(i => i.Start)];
        ends = [.. sorted.Select(i => i.End)];
    }

    public bool Contains(double x)
    {
        int at = Array.BinarySearch(starts, x);
        at = at >= 0 ? at : ~at - 1;
        return at >= 0 && x < ends[at];
    }
}
