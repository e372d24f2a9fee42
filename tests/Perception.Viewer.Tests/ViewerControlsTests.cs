using Perception.Viewer.Rendering;
using Perception.Viewer.Scenes;
using Perception.Viewer.Windowing;

namespace Perception.Viewer.Tests;

/// <summary>The window's keys and mouse camera, without a window.</summary>
public sealed class ViewerControlsTests
{
    [Fact]
    public void Frames_wrap_both_ways_and_a_single_frame_does_not_play()
    {
        var controls = new ViewerControls(3);
        controls.Apply(ViewerControls.ActionOf(263)); // left arrow
        Assert.Equal(2, controls.Frame);
        controls.Apply(ViewerControls.ActionOf('N'));
        Assert.Equal(0, controls.Frame);

        var single = new ViewerControls(1);
        single.Apply(ViewerControls.ActionOf(' '));
        Assert.False(single.Playing);
        controls.Apply(ViewerControls.ActionOf(' '));
        Assert.True(controls.Playing);
    }

    [Fact]
    public void Number_keys_toggle_layers_and_point_size_stays_in_range()
    {
        var controls = new ViewerControls(1);
        controls.Apply(ViewerControls.ActionOf('3'));
        Assert.Equal(SceneLayers.All & ~SceneLayers.Grid, controls.Layers);
        controls.Apply(ViewerControls.ActionOf('5'));
        Assert.False(controls.Layers.HasFlag(SceneLayers.Legend));
        controls.Apply(ViewerControls.ActionOf('5'));
        controls.Apply(ViewerControls.ActionOf('3'));
        controls.Apply(ViewerControls.ActionOf('1'));
        Assert.Equal(SceneLayers.All & ~SceneLayers.Points, controls.Layers);
        for (int i = 0; i < 40; i++)
        {
            controls.Apply(ViewerControls.ActionOf('='));
        }

        Assert.Equal(ViewerControls.MaxPointSize, controls.PointSize);
        Assert.Equal(ViewerAction.Quit, ViewerControls.ActionOf(256));
        Assert.Equal(ViewerAction.None, ViewerControls.ActionOf('Z'));
    }

    [Fact]
    public void The_orbit_camera_starts_behind_the_sensor_and_keeps_its_elevation_off_the_pole()
    {
        Scene scene = TestScenes.Street();
        var camera = new OrbitCamera();
        camera.Reset(scene);
        Assert.True(camera.View().Eye.X < 0, "the eye starts behind the sensor (-x)");
        camera.Rotate(0, 10_000);
        Assert.Equal(89.5f, camera.ElevationDegrees);
        float distance = camera.Distance;
        camera.Zoom(1);
        Assert.Equal(distance * 0.9f, camera.Distance, 3);
        camera.Pan(100, 0);
        // The scene follows the cursor: dragging right from behind the sensor moves the target to its left (+y).
        Assert.True(camera.Target.Y > 0, $"target {camera.Target}");
    }
}
