using Perception.Viewer.Cameras;
using Perception.Viewer.Imaging;
using Perception.Viewer.Rendering;

namespace Perception.Viewer.Tests;

/// <summary>
/// The miniature street rendered headless and compared with committed references under Reference/ by
/// <see cref="ImageComparison"/> (per-pixel channel tolerance 16, at most 0.1% of pixels off). Each run writes what
/// it rendered to artifacts/viewer-actual/; after an intended change to the renderer, look at those pictures and copy
/// them over the references.
/// </summary>
public sealed class ReferenceImageTests
{
    [Theory]
    [InlineData("bev")]
    [InlineData("chase")]
    [InlineData("orbit:30")]
    public void The_street_matches_its_reference(string camera)
    {
        using HeadlessRenderer renderer = HeadlessRenderer.Create();
        RgbImage actual = renderer.Render(TestScenes.Street(),
            new RenderOptions { Camera = CameraSpec.Parse(camera), Width = 200, Height = 150 });
        string name = $"street-{camera.Replace(':', '-')}.png";
        actual.Save(Path.Combine(RepositoryPaths.ActualOutput, name));

        RgbImage expected = PngReader.Read(Path.Combine(RepositoryPaths.References, name));
        Assert.True(ImageComparison.Matches(expected, actual),
            $"{name} differs from its reference ({renderer.Description}): {ImageComparison.Differences(expected, actual)}; "
            + $"see {RepositoryPaths.ActualOutput}");
    }

    [Fact]
    public void The_reference_check_fails_for_a_moved_box()
    {
        // The comparison must be able to fail: the street with its car box turned by 90° is not the reference.
        using HeadlessRenderer renderer = HeadlessRenderer.Create();
        Scenes.Scene turned = TestScenes.Street(carHeading: MathF.PI / 2);
        RgbImage actual = renderer.Render(turned, new RenderOptions { Camera = CameraSpec.Parse("bev"), Width = 200, Height = 150 });
        RgbImage expected = PngReader.Read(Path.Combine(RepositoryPaths.References, "street-bev.png"));
        Assert.False(ImageComparison.Matches(expected, actual), $"{ImageComparison.Differences(expected, actual)}");
    }
}
