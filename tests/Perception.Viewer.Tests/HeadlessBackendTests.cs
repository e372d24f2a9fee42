using Perception.Viewer.Imaging;
using Perception.Viewer.Native;
using Perception.Viewer.Rendering;
using Perception.Viewer.Scenes;

namespace Perception.Viewer.Tests;

/// <summary>Both off-screen backends make a GL 3.3 core context and draw the same picture; with neither library
/// the error names what was tried.</summary>
public sealed class HeadlessBackendTests
{
    [Theory]
    [InlineData(HeadlessBackend.Egl, "EGL surfaceless (libEGL.so.1)")]
    [InlineData(HeadlessBackend.OsMesa, "OSMesa (libOSMesa.so.8)")]
    public void Each_backend_makes_a_core_context(HeadlessBackend backend, string description)
    {
        using HeadlessRenderer renderer = HeadlessRenderer.Create(new HeadlessGlOptions { Backend = backend });
        Assert.StartsWith(description, renderer.Description, StringComparison.Ordinal);
        Assert.Contains("Core Profile", renderer.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Egl_and_OsMesa_draw_the_same_street()
    {
        Scene street = TestScenes.Street();
        var options = new RenderOptions { Camera = Cameras.CameraSpec.Parse("orbit:30"), Width = 160, Height = 120 };
        RgbImage egl = Render(HeadlessBackend.Egl, street, options);
        RgbImage osMesa = Render(HeadlessBackend.OsMesa, street, options);

        Assert.True(ImageComparison.Differences(egl, osMesa) is { Mismatched: 0 },
            $"EGL and OSMesa differ: {ImageComparison.Differences(egl, osMesa)}");
        Assert.True(ImageComparison.NonBackground(egl) > 1000, "the street should cover part of the picture");
    }

    [Fact]
    public void Without_any_GL_library_the_error_names_every_library_tried()
    {
        var options = new HeadlessGlOptions { EglLibrary = "libEGL-missing.so.9", OsMesaLibrary = "libOSMesa-missing.so.9" };
        GlUnavailableException error = Assert.Throws<GlUnavailableException>(() => HeadlessRenderer.Create(options));
        Assert.Contains("libEGL-missing.so.9", error.Message, StringComparison.Ordinal);
        Assert.Contains("libOSMesa-missing.so.9", error.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_library_that_is_not_EGL_is_reported_not_crashed_on()
    {
        // libz is on every machine and has no eglGetPlatformDisplay.
        var options = new HeadlessGlOptions { Backend = HeadlessBackend.Egl, EglLibrary = "libz.so.1" };
        GlUnavailableException error = Assert.Throws<GlUnavailableException>(() => HeadlessRenderer.Create(options));
        Assert.Contains("libz.so.1 has no eglGetPlatformDisplay", error.Message, StringComparison.Ordinal);
    }

    private static RgbImage Render(HeadlessBackend backend, Scene scene, RenderOptions options)
    {
        using HeadlessRenderer renderer = HeadlessRenderer.Create(new HeadlessGlOptions { Backend = backend });
        return renderer.Render(scene, options);
    }
}
