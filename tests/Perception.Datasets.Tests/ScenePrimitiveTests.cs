using Perception.Datasets.SemanticKitti;
using Perception.Datasets.Simulation;

namespace Perception.Datasets.Tests;

public class ScenePrimitiveTests
{
    private static readonly Vec3 Origin = new(0, 0, 0);

    [Fact]
    public void Box_is_entered_through_the_face_toward_the_ray()
    {
        var box = new OrientedBox(new Vec3(10, 0, 0), new Vec3(1, 2, 3), 0, KittiRawLabel.Building, 0.4);
        Assert.True(box.TryIntersect(Origin, new Vec3(1, 0, 0), 100, out double t, out Vec3 normal));
        Assert.Equal(9, t, 12);
        Assert.Equal(new Vec3(-1, 0, 0), normal);
        Assert.False(box.TryIntersect(Origin, new Vec3(-1, 0, 0), 100, out _, out _));
        Assert.False(box.TryIntersect(Origin, new Vec3(1, 0, 0), 8.5, out _, out _));
    }

    [Fact]
    public void Rotated_box_hit_lies_on_its_surface()
    {
        var box = new OrientedBox(new Vec3(6, 3, 0.5), new Vec3(2.2, 0.9, 0.7), 0.4, KittiRawLabel.Car, 0.5);
        Vec3 direction = new Vec3(6, 3, 0.2).Normalized();
        Assert.True(box.TryIntersect(Origin, direction, 100, out double t, out Vec3 normal));
        Assert.Equal(0, box.SignedDistance(direction * t), 9);
        Assert.True(Vec3.Dot(normal, direction) < 0, "the entry normal faces the ray");
        Assert.Equal(1, normal.Length, 12);
    }

    [Fact]
    public void Cylinder_side_and_top_cap_are_hit_where_expected()
    {
        var pole = new VerticalCylinder(5, 0, -2, 3, 0.5, KittiRawLabel.Pole, 0.45);
        Assert.True(pole.TryIntersect(Origin, new Vec3(1, 0, 0), 100, out double t, out Vec3 normal));
        Assert.Equal(4.5, t, 12);
        Assert.Equal(-1, normal.X, 12);

        // From above the top, looking down onto the cap.
        var above = new Vec3(5, 0, 10);
        Assert.True(pole.TryIntersect(above, new Vec3(0, 0, -1), 100, out t, out normal));
        Assert.Equal(7, t, 12);
        Assert.Equal(new Vec3(0, 0, 1), normal);
        Assert.False(pole.TryIntersect(Origin, new Vec3(1, 0, 1).Normalized(), 100, out _, out _));
    }

    [Fact]
    public void Ellipsoid_hit_is_on_the_surface_and_its_distance_is_signed()
    {
        var crown = new Ellipsoid(new Vec3(8, 1, 4), new Vec3(2, 3, 1.5), KittiRawLabel.Vegetation, 0.4);
        Vec3 direction = new Vec3(8, 1, 4).Normalized();
        Assert.True(crown.TryIntersect(Origin, direction, 100, out double t, out _));
        Vec3 hit = direction * t;
        double scaled = Math.Pow((hit.X - 8) / 2, 2) + Math.Pow((hit.Y - 1) / 3, 2) + Math.Pow((hit.Z - 4) / 1.5, 2);
        Assert.Equal(1, scaled, 9);
        Assert.True(crown.SignedDistance(new Vec3(8, 1, 4)) < 0);
        Assert.Equal(0.5, crown.SignedDistance(new Vec3(10.5, 1, 4)), 9);
    }

    [Fact]
    public void Hdl64E_beam_table_spans_plus_2_to_minus_24_8_degrees()
    {
        IReadOnlyList<double> beams = LidarSensorConfig.Hdl64E.BeamElevationsDeg;
        Assert.Equal(64, beams.Count);
        Assert.Equal(2.0, beams[0], 12);
        Assert.Equal(-24.8, beams[63], 12);
        for (int i = 1; i < beams.Count; i++)
        {
            Assert.True(beams[i] < beams[i - 1], "beams go top down");
        }
    }
}
