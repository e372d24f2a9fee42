using Perception.Datasets.Geometry;

namespace Perception.Datasets.Simulation;

/// <summary>
/// Simulates SemanticKITTI-like scans: builds a seeded urban scene (<see cref="UrbanSceneBuilder"/>) and ray-casts
/// it with a spinning multi-beam sensor. Columns are cast in parallel; every random draw is a hash of (seed, scan,
/// column, beam), so a seed gives the same bytes on any number of threads.
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

    /// <summary>
    /// A new scene from <paramref name="seed"/>, scanned once from the world origin: the first scan of
    /// <see cref="SimulatedDrive"/> with the same seed.
    /// </summary>
    public LidarScan Generate(int seed) => Scan(UrbanSceneBuilder.Build(seed, Sensor.MountHeight), seed);

    /// <summary>
    /// Scans a given scene from the world origin; <paramref name="seed"/> drives the range noise, dropouts and
    /// remission jitter.
    /// </summary>
    public LidarScan Scan(UrbanScene scene, int seed) => Scan(scene, RigidTransform.Identity, NoiseSeed(seed, 0));

    /// <summary>The noise seed of scan <paramref name="scan"/> of a drive: one per scan, fixed by the seed.</summary>
    internal static ulong NoiseSeed(int seed, int scan) =>
        DeterministicRandom.Mix(((ulong)(uint)seed ^ 0xA0761D6478BD642FUL) + ((ulong)scan * 0x9E3779B97F4A7C15UL));

    /// <summary>Scans the scene from a sensor at <paramref name="pose"/> (sensor frame to world frame).</summary>
    internal LidarScan Scan(UrbanScene scene, RigidTransform pose, ulong noiseSeed)
    {
        int beams = Sensor.BeamCount, columns = Sensor.AzimuthColumns;
        var elevations = new (double Cos, double Sin)[beams];
        for (int beam = 0; beam < beams; beam++)
        {
            (double sin, double cos) = Math.SinCos(Sensor.BeamElevationsDeg[beam] * Math.PI / 180);
            elevations[beam] = (cos, sin);
        }

        (double ox, double oy, double oz) = pose.Apply(0, 0, 0);
        var view = new SceneView(scene, new Vec3(ox, oy, oz), Sensor.MaxRange + (3 * Sensor.RangeNoiseSigma));

        // Each column writes only its own slots; compaction afterwards keeps column-then-beam order.
        var slotPoints = new float[columns * beams * 4];
        var slotLabels = new uint[columns * beams];
        var slotRings = new byte[columns * beams];
        var counts = new int[columns];
        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxDegreeOfParallelism };
        var cast = new ColumnCaster(this, view, pose, elevations, noiseSeed, slotPoints, slotLabels, slotRings);
        Parallel.For(0, columns, options, column => counts[column] = cast.Column(column));

        int total = counts.Sum();
        var points = new float[total * 4];
        var labels = new uint[total];
        var rings = new byte[total];
        int at = 0;
        for (int column = 0; column < columns; column++)
        {
            int first = column * beams;
            slotPoints.AsSpan(first * 4, counts[column] * 4).CopyTo(points.AsSpan(at * 4));
            slotLabels.AsSpan(first, counts[column]).CopyTo(labels.AsSpan(at));
            slotRings.AsSpan(first, counts[column]).CopyTo(rings.AsSpan(at));
            at += counts[column];
        }

        return new LidarScan(points, labels, rings);
    }

    /// <summary>Casts the beams of one azimuth column and keeps the returns that survive noise and dropout.</summary>
    private sealed class ColumnCaster(
        LidarScanGenerator generator, SceneView view, RigidTransform pose, (double Cos, double Sin)[] elevations,
        ulong noiseSeed, float[] slotPoints, uint[] slotLabels, byte[] slotRings)
    {
        private readonly LidarSensorConfig sensor = generator.Sensor;

        public int Column(int column)
        {
            (double sinA, double cosA) = Math.SinCos(sensor.ColumnAzimuth(column));
            int first = column * elevations.Length, count = 0;
            double castRange = sensor.MaxRange + (3 * sensor.RangeNoiseSigma);
            for (int beam = 0; beam < elevations.Length; beam++)
            {
                var local = new Vec3(elevations[beam].Cos * cosA, elevations[beam].Cos * sinA, elevations[beam].Sin);
                (double wx, double wy, double wz) = pose.Rotate(local.X, local.Y, local.Z);
                var direction = new Vec3(wx, wy, wz);
                SurfaceHit hit = view.Cast(direction, castRange);
                if (double.IsInfinity(hit.T))
                {
                    continue; // sky, or beyond range: no return
                }

                double noise = DeterministicRandom.HashGaussian(noiseSeed, column, beam, NoiseStream);
                double range = hit.T + (sensor.RangeNoiseSigma * noise);
                if (range < sensor.MinRange || range > sensor.MaxRange)
                {
                    continue;
                }

                double remission = Remission(hit, direction, column, beam);
                double farness = range / sensor.MaxRange;
                double dark = Math.Max(0, 1 - (remission / sensor.DarkRemission));
                double lost = (sensor.FarDropout * farness * farness * (1 - remission)) + (sensor.DarkDropout * dark);
                if (DeterministicRandom.Hash01(noiseSeed, column, beam, DropoutStream) < lost)
                {
                    continue;
                }

                // The point is reported in the sensor frame: the beam's own direction times the measured range.
                int slot = first + count++;
                Vec3 point = local * range;
                slotPoints[slot * 4] = (float)point.X;
                slotPoints[(slot * 4) + 1] = (float)point.Y;
                slotPoints[(slot * 4) + 2] = (float)point.Z;
                slotPoints[(slot * 4) + 3] = (float)remission;
                slotLabels[slot] = hit.Label;
                slotRings[slot] = (byte)beam;
            }

            return count;
        }

        /// <summary>Lambertian-ish: albedo scaled by the incidence cosine, plus a little per-return jitter.</summary>
        private double Remission(SurfaceHit hit, Vec3 direction, int column, int beam)
        {
            double incidence = Math.Abs(Vec3.Dot(hit.Normal, direction));
            double jitter = (DeterministicRandom.Hash01(noiseSeed, column, beam, RemissionStream) - 0.5) * 0.04;
            return Math.Clamp((hit.Albedo * (0.3 + (0.7 * incidence))) + jitter, 0, 1);
        }
    }
}
