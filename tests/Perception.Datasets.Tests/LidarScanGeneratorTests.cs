using System.Runtime.InteropServices;
using Perception.Datasets.Simulation;

namespace Perception.Datasets.Tests;

public class LidarScanGeneratorTests
{
    private static readonly LidarSensorConfig Sensor = LidarSensorConfig.Hdl64E;

    // Range noise is truncated at 3σ along the ray; float32 storage adds micrometres.
    private static readonly double SurfaceTolerance = (3 * Sensor.RangeNoiseSigma) + 1e-3;

    [Fact]
    public void Same_seed_gives_identical_bytes_on_any_number_of_threads()
    {
        LidarScan parallel = new LidarScanGenerator().Generate(7);
        LidarScan again = new LidarScanGenerator().Generate(7);
        LidarScan serial = new LidarScanGenerator { MaxDegreeOfParallelism = 1 }.Generate(7);

        foreach (LidarScan other in new[] { again, serial })
        {
            Assert.True(MemoryMarshal.AsBytes(parallel.Points).SequenceEqual(MemoryMarshal.AsBytes(other.Points)));
            Assert.True(parallel.Labels.SequenceEqual(other.Labels));
            Assert.True(parallel.Rings.SequenceEqual(other.Rings));
        }
    }

    [Fact]
    public void Different_seeds_give_different_scenes()
    {
        UrbanScene first = UrbanSceneBuilder.Build(1), second = UrbanSceneBuilder.Build(2);
        Assert.NotEqual(first.Ground.Street, second.Ground.Street);

        var generator = new LidarScanGenerator();
        LidarScan a = generator.Generate(1), b = generator.Generate(2);
        Assert.False(a.Count == b.Count && MemoryMarshal.AsBytes(a.Points).SequenceEqual(MemoryMarshal.AsBytes(b.Points)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(20250601)]
    public void Point_count_is_like_a_SemanticKITTI_scan(int seed)
    {
        LidarScan scan = new LidarScanGenerator().Generate(seed);
        Assert.InRange(scan.Count, 90_000, 150_000);
        Assert.Equal(scan.Count * 4, scan.Points.Length);
        Assert.Equal(scan.Count, scan.Rings.Length);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Every_point_lies_on_a_surface_of_its_label(int seed)
    {
        UrbanScene scene = UrbanSceneBuilder.Build(seed, Sensor.MountHeight);
        LidarScan scan = new LidarScanGenerator().Scan(scene, seed);
        ReadOnlySpan<float> points = scan.Points;
        for (int i = 0; i < scan.Count; i++)
        {
            var p = new Vec3(points[i * 4], points[(i * 4) + 1], points[(i * 4) + 2]);
            double distance = scene.SurfaceDistance(scan.Label(i), p);
            Assert.True(distance <= SurfaceTolerance, $"point {i} {p} labelled {scan.Label(i)} is {distance:F3} m off");
        }
    }

    [Fact]
    public void Road_points_sit_on_the_road_surface_and_raised_ground_sits_a_curb_higher()
    {
        UrbanScene scene = UrbanSceneBuilder.Build(5, Sensor.MountHeight);
        LidarScan scan = new LidarScanGenerator().Scan(scene, 5);
        GroundModel ground = scene.Ground;
        int road = 0, terrain = 0;
        for (int i = 0; i < scan.Count; i++)
        {
            float x = scan.Points[i * 4], y = scan.Points[(i * 4) + 1], z = scan.Points[(i * 4) + 2];
            if (scan.Label(i) == SemanticLabel.Road)
            {
                Assert.True(Math.Abs(z - ground.BaseHeight(x, y)) <= SurfaceTolerance, $"road point {i} off the road");
                road++;
            }
            else if (scan.Label(i) == SemanticLabel.Terrain)
            {
                double raised = ground.BaseHeight(x, y) + ground.Street.CurbHeight;
                Assert.True(Math.Abs(z - raised) <= SurfaceTolerance, $"terrain point {i} off the raised level");
                terrain++;
            }
        }

        Assert.True(road > 10_000 && terrain > 1_000, $"{road} road and {terrain} terrain points");
    }

    [Fact]
    public void Ranges_and_remissions_are_within_limits()
    {
        LidarScan scan = new LidarScanGenerator().Generate(11);
        for (int i = 0; i < scan.Count; i++)
        {
            ReadOnlySpan<float> p = scan.Points.Slice(i * 4, 4);
            double range = Math.Sqrt((p[0] * p[0]) + (p[1] * p[1]) + (p[2] * p[2]));
            Assert.InRange(range, Sensor.MinRange - 1e-4, Sensor.MaxRange + 1e-4);
            Assert.InRange(p[3], 0f, 1f);
            Assert.True(Enum.IsDefined(scan.Label(i)) && scan.Label(i) != SemanticLabel.Unlabeled);
        }
    }

    [Fact]
    public void Each_point_elevation_matches_its_beam_in_the_beam_table()
    {
        LidarScan scan = new LidarScanGenerator().Generate(3);
        AssertElevationsMatch(scan, Sensor.BeamElevationsDeg);
        Assert.Equal(Sensor.BeamCount, scan.Rings.ToArray().Distinct().Count());
    }

    [Fact]
    public void A_custom_sensor_uses_its_own_beam_table_and_column_count()
    {
        double[] beams = [.. Enumerable.Range(0, 16).Select(i => 1.0 - (i * 1.5))];
        var sensor = new LidarSensorConfig { BeamElevationsDeg = beams, AzimuthColumns = 900, MaxRange = 60 };
        LidarScan scan = new LidarScanGenerator(sensor).Generate(9);

        Assert.InRange(scan.Count, 3_000, 16 * 900);
        AssertElevationsMatch(scan, beams);
        Assert.Throws<ArgumentException>(() => new LidarScanGenerator(sensor with { MaxRange = 1 }));
    }

    [Fact]
    public void Main_street_classes_all_appear()
    {
        IReadOnlyDictionary<SemanticLabel, int> histogram = new LidarScanGenerator().Generate(1).LabelHistogram();
        foreach (SemanticLabel label in new[]
        {
            SemanticLabel.Road, SemanticLabel.Sidewalk, SemanticLabel.Building, SemanticLabel.Car,
            SemanticLabel.Vegetation, SemanticLabel.Trunk, SemanticLabel.Pole, SemanticLabel.Person,
        })
        {
            Assert.True(histogram.GetValueOrDefault(label) > 0, $"no {label} points");
        }
    }

    private static void AssertElevationsMatch(LidarScan scan, IReadOnlyList<double> beams)
    {
        for (int i = 0; i < scan.Count; i++)
        {
            double x = scan.Points[i * 4], y = scan.Points[(i * 4) + 1], z = scan.Points[(i * 4) + 2];
            double elevation = Math.Atan2(z, Math.Sqrt((x * x) + (y * y))) * 180 / Math.PI;
            int ring = scan.Rings[i];
            Assert.True(Math.Abs(elevation - beams[ring]) < 1e-3,
                $"point {i}: elevation {elevation:F4}° but beam {ring} is {beams[ring]}°");
        }
    }
}
