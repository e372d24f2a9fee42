using System.Numerics;
using Perception.Viewer.Native;
using Perception.Viewer.Scenes;

namespace Perception.Viewer.Rendering;

/// <summary>A scene uploaded to the current GL context, drawn into whatever framebuffer is bound: lines first, then
/// points, with depth testing so near points hide far ones.</summary>
internal sealed unsafe class SceneRenderer : IDisposable
{
    /// <summary>The background: black, where SemanticKITTI's palette and the viridis ramp both read well.</summary>
    public static readonly Vector3 Background = Vector3.Zero;

    private readonly GlApi gl;
    private readonly ShaderProgram program;
    private readonly VertexLayer points;
    private readonly VertexLayer boxes;
    private readonly VertexLayer grid;
    private readonly VertexLayer axes;

    public SceneRenderer(GlApi gl, Scene scene)
    {
        this.gl = gl;
        program = new ShaderProgram(gl);
        points = new VertexLayer(gl, GlConstants.Points, scene.Cloud.Xyz, scene.PointColors);
        boxes = Lines(scene.BoxEdges);
        grid = Lines(scene.Grid);
        axes = Lines(scene.Axes);
    }

    public void Draw(Matrix4x4 viewProjection, int width, int height, float pointSize, SceneLayers layers)
    {
        gl.Viewport(0, 0, width, height);
        gl.ClearColor(Background.X, Background.Y, Background.Z, 1f);
        gl.Clear(GlConstants.ColorBufferBit | GlConstants.DepthBufferBit);
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

        gl.Check("drawing the scene");
    }

    public void Dispose()
    {
        foreach (VertexLayer layer in (ReadOnlySpan<VertexLayer>)[points, boxes, grid, axes])
        {
            layer.Dispose();
        }

        program.Dispose();
    }

    private VertexLayer Lines(LineLayer lines) => new(gl, GlConstants.Lines, lines.Positions, lines.Colors);
}
