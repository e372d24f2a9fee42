using System.Numerics;
using Perception.Viewer.Native;
using Perception.Viewer.Scenes;

namespace Perception.Viewer.Rendering;

/// <summary>A scene uploaded to the current GL context, drawn into a viewport of whatever framebuffer is bound: lines
/// first, then points, with depth testing so near points hide far ones, and the legend last over everything.</summary>
internal sealed unsafe class SceneRenderer : IDisposable
{
    /// <summary>The background: black, where SemanticKITTI's palette and the viridis ramp both read well.</summary>
    public static readonly Vector3 Background = Vector3.Zero;

    private readonly GlApi gl;
    private readonly Scene scene;
    private readonly ShaderProgram program;
    private readonly VertexLayer points;
    private readonly VertexLayer boxes;
    private readonly VertexLayer grid;
    private readonly VertexLayer axes;

    // The legend's cells depend on the viewport's size; rebuilt only when that changes.
    private (int Width, int Height, VertexLayer Layer, int Scale)? legend;

    public SceneRenderer(GlApi gl, Scene scene)
    {
        this.gl = gl;
        this.scene = scene;
        program = new ShaderProgram(gl);
        points = new VertexLayer(gl, GlConstants.Points, scene.Cloud.Xyz, scene.PointColors);
        boxes = Lines(scene.BoxEdges);
        grid = Lines(scene.Grid);
        axes = Lines(scene.Axes);
    }

    /// <summary>Clears the whole framebuffer to the background (glClear ignores the viewport).</summary>
    public static void Clear(GlApi gl, int width, int height)
    {
        gl.Viewport(0, 0, width, height);
        gl.ClearColor(Background.X, Background.Y, Background.Z, 1f);
        gl.Clear(GlConstants.ColorBufferBit | GlConstants.DepthBufferBit);
    }

    /// <summary>Draws into the viewport whose lower-left corner is (<paramref name="left"/>, 0).</summary>
    public void Draw(Matrix4x4 viewProjection, int left, int width, int height, float pointSize, SceneLayers layers)
    {
        gl.Viewport(left, 0, width, height);
        gl.Enable(GlConstants.DepthTest);
        gl.Enable(GlConstants.ProgramPointSize);
        program.Use(viewProjection, pointSize);
        (VertexLayer Layer, SceneLayers Flag)[] order =
            [(grid, SceneLayers.Grid), (axes, SceneLayers.Axes), (boxes, SceneLayers.Boxes), (points, SceneLayers.Points)];
        foreach ((VertexLayer layer, SceneLayers flag) in order)
        {
            if (layers.HasFlag(flag))
            {
                layer.Draw();
            }
        }

        if (layers.HasFlag(SceneLayers.Legend) && (scene.Legend.Count > 0 || scene.LegendTitle is not null))
        {
            DrawLegend(width, height);
        }

        gl.Check("drawing the scene");
    }

    public void Dispose()
    {
        foreach (VertexLayer layer in (ReadOnlySpan<VertexLayer>)[points, boxes, grid, axes])
        {
            layer.Dispose();
        }

        legend?.Layer.Dispose();
        program.Dispose();
    }

    /// <summary>The legend's cells as point sprites in pixel coordinates (x right, y down from the top-left corner),
    /// without depth testing so nothing in the scene covers it; later cells (text) overwrite earlier ones (panel).</summary>
    private void DrawLegend(int width, int height)
    {
        if (legend is not { } built || built.Width != width || built.Height != height)
        {
            legend?.Layer.Dispose();
            var layout = new LegendLayout(scene.Legend, scene.LegendTitle, width, height);
            (float[] positions, byte[] colors) = layout.PointSprites();
            legend = built = (width, height, new VertexLayer(gl, GlConstants.Points, positions, colors), layout.Scale);
        }

        gl.Disable(GlConstants.DepthTest);
        program.Use(Matrix4x4.CreateOrthographicOffCenter(0, width, height, 0, -1, 1), built.Scale);
        built.Layer.Draw();
        gl.Enable(GlConstants.DepthTest);
    }

    private VertexLayer Lines(LineLayer lines) => new(gl, GlConstants.Lines, lines.Positions, lines.Colors);
}
