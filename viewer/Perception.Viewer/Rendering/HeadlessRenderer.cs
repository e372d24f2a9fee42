using Perception.Viewer.Imaging;
using Perception.Viewer.Native;
using Perception.Viewer.Scenes;

namespace Perception.Viewer.Rendering;

/// <summary>
/// Renders scenes to pictures without a display: an off-screen GL 3.3 core context (EGL surfaceless, else OSMesa),
/// one framebuffer per picture. Use it from one thread: the context is current on the thread that created it.
/// </summary>
public sealed class HeadlessRenderer : IDisposable
{
    /// <summary>Width and height are at most this: Mesa's llvmpipe limit for renderbuffers.</summary>
    public const int MaxSize = 8192;

    private readonly IGlContext context;
    private readonly GlApi gl;

    private HeadlessRenderer(IGlContext context)
    {
        this.context = context;
        gl = new GlApi(context.GetProcAddress);
        Description = $"{context.Description}: OpenGL {gl.Text(GlConstants.Version)}, {gl.Text(GlConstants.Renderer)}";
    }

    /// <summary>Which context renders, with the driver's version and renderer strings.</summary>
    public string Description { get; }

    /// <exception cref="GlUnavailableException">No library could make a context; the message names those tried.
    /// </exception>
    public static HeadlessRenderer Create(HeadlessGlOptions? options = null)
    {
        IGlContext context = HeadlessGl.Create(options ?? new HeadlessGlOptions());
        try
        {
            return new HeadlessRenderer(context);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    public RgbImage Render(Scene scene, RenderOptions options)
    {
        if (options.Width is < 1 or > MaxSize || options.Height is < 1 or > MaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(options),
                $"picture size {options.Width}x{options.Height}: each side must be 1..{MaxSize} pixels.");
        }

        using var target = new OffscreenTarget(gl, options.Width, options.Height);
        using var renderer = new SceneRenderer(gl, scene);
        float aspect = options.Width / (float)options.Height;
        SceneRenderer.Clear(gl, options.Width, options.Height);
        renderer.Draw(options.Camera.ViewOf(scene, aspect).ViewProjection(aspect), 0, options.Width, options.Height,
            options.PointSize, options.Layers);
        return target.ReadRgb();
    }

    /// <summary>Each panel at the options' size, side by side left to right (truth, then prediction).</summary>
    public RgbImage Render(IReadOnlyList<Scene> panels, RenderOptions options) =>
        panels.Count == 1 ? Render(panels[0], options) : RgbImage.SideBySide([.. panels.Select(p => Render(p, options))]);

    public void Dispose() => context.Dispose();
}
