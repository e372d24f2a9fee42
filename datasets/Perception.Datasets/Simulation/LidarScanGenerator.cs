namespace Perception.Datasets.Simulation;

/// <summary>
/// Simulates SemanticKITTI-like scans: builds a seeded urban scene (<see cref="UrbanSceneBuilder"/>) and ray-casts
/// it with a spinning multi-beam sensor. Columns are cast in parallel; every random draw is a hash of (seed, column,
/// beam), so a seed gives the same bytes on any number of threads.
/// </summary>
public sealed class LidarScanGenerator
{
    private const int NoiseStream = 0;
    private const int DropoutStream = 2;
    private const int RemissionStream = 3;

    public LidarScanGenerator(LidarSensorConfig? sensor = null)
    {
        Sensor = sensor ?? LidarSensorConfig.Hdl64E;
        Sensor.Validate();
    }

    public LidarSensorConfig Sensor { get; }

    /// <summary>Threads used to cast columns; -1 lets the runtime choose. The result does not depend on it.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>A new scene from <paramref name="seed"/>, scanned once.</summary>
    public LidarScan Generate(int seed) => Scan(UrbanSceneBuilder.Build(seed, Sensor.MountHeight), seed);

    /// <summary>Scans a given scene; <paramref name="seed"/> drives the range noise, dropouts and remission jitter.</summary>
    public LidarScan Scan(UrbanScene scene, int seed)
    {
        int beams = Sensor.BeamCount, columns = Sensor.AzimuthColumns;
        var elevations = new (double Cos, double Sin)[beams];
        for (int beam = 0; beam < beams; beam++)
        {
            double radians = Sensor.BeamElevationsDeg[beam] * Math.PI / 180;
            elevations[beam] = (Math.Cos(radians), Math.Sin(radians));
        }

        // Each column writes only its own slots; compaction afterwards keeps column-then-beam order.
        var slotPoints = new float[columns * beams * 4];
        var slotLabels = new byte[columns * beams];
        var slotRings = new byte[columns * beams];
        var counts = new int[columns];
        ulong noiseSeed = DeterministicRandom.Mix((ulong)(uint)seed ^ 0xA0761D6478BD642FUL);
        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxDegreeOfParallelism };
        Parallel.For(0, columns, options, column =>
            counts[column] = CastColumn(scene, column, elevations, noiseSeed, slotPoints, slotLabels, slotRings));

        int total = counts.Sum();
        var points = new float[total * 4];
        var labels = new byte[total];
        var rings = new byte[total];
        int at = 0;
        for (int column = 0; column < columns; column++)
        {
            int first = column * beams;
            for (int k = 0; k < counts[column]; k++)
            {
                slotPoints.AsSpan((first + k) * 4, 4).CopyTo(points.AsSpan(at * 4, 4));
                labels[at] = slotLabels[first + k];
                rings[at] = slotRings[first + k];
                at++;
            }
        }

        return new LidarScan(points, labels, rings);
    }

    private int CastColumn(UrbanScene scene, int column, (double Cos, double Sin)[] elevations, ulong noiseSeed,
        float[] slotPoints, byte[] slotLabels, byte[] slotRings)
    {
        double azimuth = Sensor.ColumnAzimuth(column);
        double cosA = Math.Cos(azimuth), sinA = Math.Sin(azimuth);
        int bin = scene.AzimuthBin(azimuth);
        int first = column * elevations.Length, count = 0;
        for (int beam = 0; beam < elevations.Length; beam++)
        {
            var direction = new Vec3(elevations[beam].Cos * cosA, elevations[beam].Cos * sinA, elevations[beam].Sin);
            SurfaceHit hit = scene.Cast(direction, bin, Sensor.MaxRange + (3 * Sensor.RangeNoiseSigma));
            if (double.IsInfinity(hit.T))
            {
                continue; // sky, or beyond range: no return
            }

            double range = hit.T + (Sensor.RangeNoiseSigma * DeterministicRandom.HashGaussian(noiseSeed, column, beam, NoiseStream));
            if (range < Sensor.MinRange || range > Sensor.MaxRange)
            {
                continue;
            }

            double remission = Remission(hit, direction, noiseSeed, column, beam);
            double farness = range / Sensor.MaxRange;
            if (DeterministicRandom.Hash01(noiseSeed, column, beam, DropoutStream)
                < Sensor.FarDropout * farness * farness * (1 - remission))
            {
                continue;
            }

            int slot = first + count++;
            Vec3 point = direction * range;
            slotPoints[slot * 4] = (float)point.X;
            slotPoints[(slot * 4) + 1] = (float)point.Y;
            slotPoints[(slot * 4) + 2] = (float)point.Z;
            slotPoints[(slot * 4) + 3] = (float)remission;
            slotLabels[slot] = (byte)hit.Label;
            slotRings[slot] = (byte)beam;
        }

        return count;
    }

    /// <summary>Lambertian-ish: albedo scaled by the incidence cosine, plus a little per-return jitter.</summary>
    private static double Remission(SurfaceHit hit, Vec3 direction, ulong noiseSeed, int column, int beam)
    {
        double incidence = Math.Abs(Vec3.Dot(hit.Normal, direction));
        double jitter = (DeterministicRandom.Hash01(noiseSeed, column, beam, RemissionStream) - 0.5) * 0.04;
        return Math.Clamp((hit.Albedo * (0.3 + (0.7 * incidence))) + jitter, 0, 1);
    }
}
