using Perception.Viewer.Cameras;
using Perception.Viewer.Native;
using Perception.Viewer.Rendering;
using Perception.Viewer.Scenes;

namespace Perception.Viewer.Windowing;

/// <summary>The scenes of one frame uploaded to the window's context, drawn side by side in equal slices of the
/// window (truth left, prediction right) from one camera, so both panels move together.</summary>
internal sealed class PanelRenderers : IDisposable
{
    private readonly GlApi gl;
    private readonly SceneRenderer[] renderers;

    public PanelRenderers(GlApi gl, IReadOnlyList<Scene> panels)
    {
        this.gl = gl;
        Panels = panels;
        renderers = new SceneRenderer[panels.Count];
        try
        {
            for (int i = 0; i < panels.Count; i++)
            {
                renderers[i] = new SceneRenderer(gl, panels[i]);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public IReadOnlyList<Scene> Panels { get; }

    public void Draw(CameraView view, int width, int height, float pointSize, SceneLayers layers)
    {
        SceneRenderer.Clear(gl, width, height);
        int slice = width / renderers.Length;
        for (int i = 0; i < renderers.Length; i++)
        {
            float aspect = slice / (float)Math.Max(height, 1);
            renderers[i].Draw(view.ViewProjection(aspect), i * slice, slice, height, pointSize, layers);
        }
    }

    public void Dispose()
    {
        foreach (SceneRenderer? renderer in renderers)
        {
            renderer?.Dispose();
        }
    }
}
