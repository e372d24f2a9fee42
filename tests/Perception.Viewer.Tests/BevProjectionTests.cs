using System.Numerics;
using Perception.Viewer.Cameras;
using Perception.Viewer.Imaging;
using Perception.Viewer.Rendering;
using Perception.Viewer.Scenes;

namespace Perception.Viewer.Tests;

/// <summary>
/// Geometry checked against projection math written out here, independent of the renderer's matrices: the bird's-eye
/// view maps world (x, y) to pixel column (x + halfWidth) / (2 halfWidth) · W and row (halfHeight − y) /
/// (2 halfHeight) · H (rows counted from the top), where the farthest |x| or |y| plus 5% fits the picture's shorter
/// side.
/// </summary>
public sealed class BevProjectionTests
{
    private const int Width = 96;
    private const int Height = 64;

    [Fact]
    public void A_red_point_at_the_origin_and_a_blue_one_at_3_minus_2_land_where_the_math_says()
    {
        Scene scene = SceneBuilder.Build(TestScenes.Points(
            (Vector3.Zero, TestScenes.Red), (new Vector3(3, -2, 0), TestScenes.Blue)));
        RgbImage picture = Render(scene, new CameraSpec(CameraKind.Bev));

        // Reach 3 m · 1.05 on the 64-pixel side; the 96-pixel side shows 1.5 times as much.
        const float HalfHeight = 3.15f, HalfWidth = HalfHeight * Width / Height;
        AssertDotAt(picture, (255, 0, 0), (0 + HalfWidth) / (2 * HalfWidth) * Width, (HalfHeight - 0) / (2 * HalfHeight) * Height);
        AssertDotAt(picture, (0, 0, 255), (3 + HalfWidth) / (2 * HalfWidth) * Width, (HalfHeight + 2) / (2 * HalfHeight) * Height);
    }

    [Fact]
    public void Orbit_at_0_degrees_looks_from_plus_x_so_plus_y_is_on_the_right_and_orbit_180_mirrors_it()
    {
        Scene scene = SceneBuilder.Build(TestScenes.Points(
            (new Vector3(0, 4, 0), TestScenes.Red), (new Vector3(0, -4, 0), TestScenes.Blue)));
        RgbImage fromFront = Render(scene, CameraSpec.Parse("orbit:0"));
        RgbImage fromBehind = Render(scene, CameraSpec.Parse("orbit:180"));

        Assert.True(Centroid(fromFront, (255, 0, 0)).Col > Centroid(fromFront, (0, 0, 255)).Col);
        Assert.True(Centroid(fromBehind, (255, 0, 0)).Col < Centroid(fromBehind, (0, 0, 255)).Col);
    }

    [Fact]
    public void Chase_camera_sees_a_point_ahead_of_the_sensor_above_the_picture_centre_line_and_one_behind_it_not()
    {
        Scene scene = SceneBuilder.Build(TestScenes.Points(
            (new Vector3(20, 0, 0), TestScenes.Red), (new Vector3(-40, 0, 0), TestScenes.Blue)));
        RgbImage picture = Render(scene, new CameraSpec(CameraKind.Chase));

        (float col, float row) = Centroid(picture, (255, 0, 0));
        Assert.InRange(col, (Width / 2f) - 2, (Width / 2f) + 2);
        Assert.InRange(row, 0, (Height / 2f) - 1);
        Assert.Equal(0, Count(picture, (0, 0, 255)));
    }

    private static RgbImage Render(Scene scene, CameraSpec camera)
    {
        using HeadlessRenderer renderer = HeadlessRenderer.Create();
        return renderer.Render(scene, new RenderOptions
        {
            Camera = camera, Width = Width, Height = Height, PointSize = 3, Layers = SceneLayers.Points,
        });
    }

    /// <summary>The 3x3 dot's centroid, in continuous pixel coordinates (pixel centres at +0.5), within 0.75 px.</summary>
    private static void AssertDotAt(RgbImage picture, (byte, byte, byte) color, float col, float row)
    {
        Assert.Equal(9, Count(picture, color));
        (float actualCol, float actualRow) = Centroid(picture, color);
        Assert.True(MathF.Abs(actualCol - col) <= 0.75f && MathF.Abs(actualRow - row) <= 0.75f,
            $"dot {color} at ({actualCol:F2}, {actualRow:F2}), expected ({col:F2}, {row:F2})");
    }

    private static (float Col, float Row) Centroid(RgbImage picture, (byte, byte, byte) color)
    {
        float cols = 0, rows = 0;
        int count = 0;
        for (int row = 0; row < picture.Height; row++)
        {
            for (int col = 0; col < picture.Width; col++)
            {
                if (picture[col, row] == color)
                {
                    (cols, rows, count) = (cols + col + 0.5f, rows + row + 0.5f, count + 1);
                }
            }
        }

        Assert.True(count > 0, $"no pixel of colour {color}");
        return (cols / count, rows / count);
    }

    private static int Count(RgbImage picture, (byte, byte, byte) color)
    {
        int count = 0;
        for (int row = 0; row < picture.Height; row++)
        {
            for (int col = 0; col < picture.Width; col++)
            {
                count += picture[col, row] == color ? 1 : 0;
            }
        }

        return count;
    }
}
