using Perception.Viewer.Imaging;
using Perception.Viewer.Native;

namespace Perception.Viewer.Rendering;

/// <summary>A framebuffer object of the picture's size (RGBA8 colour, 24-bit depth), independent of the context's
/// own tiny surface, read back with glReadPixels.</summary>
internal sealed unsafe class OffscreenTarget : IDisposable
{
    private readonly GlApi gl;
    private readonly uint framebuffer;
    private readonly uint colorBuffer;
    private readonly uint depthBuffer;

    public OffscreenTarget(GlApi gl, int width, int height)
    {
        this.gl = gl;
        Width = width;
        Height = height;
        framebuffer = GlApi.GenOne(gl.GenFramebuffers);
        gl.BindFramebuffer(GlConstants.Framebuffer, framebuffer);
        colorBuffer = Attach(GlConstants.Rgba8, GlConstants.ColorAttachment0);
        depthBuffer = Attach(GlConstants.DepthComponent24, GlConstants.DepthAttachment);
        uint status = gl.CheckFramebufferStatus(GlConstants.Framebuffer);
        if (status != GlConstants.FramebufferComplete)
        {
            throw new GlException($"a {width}x{height} framebuffer is incomplete (status 0x{status:X4}).");
        }

        gl.Check("creating the framebuffer");
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The picture as top-down RGB rows.</summary>
    public RgbImage ReadRgb() => FramebufferReader.ReadRgb(gl, Width, Height);

    public void Dispose()
    {
        GlApi.DeleteOne(gl.DeleteRenderbuffers, colorBuffer);
        GlApi.DeleteOne(gl.DeleteRenderbuffers, depthBuffer);
        gl.BindFramebuffer(GlConstants.Framebuffer, 0);
        GlApi.DeleteOne(gl.DeleteFramebuffers, framebuffer);
    }

    private uint Attach(uint format, uint attachment)
    {
        uint buffer = GlApi.GenOne(gl.GenRenderbuffers);
        gl.BindRenderbuffer(GlConstants.Renderbuffer, buffer);
        gl.RenderbufferStorage(GlConstants.Renderbuffer, format, Width, Height);
        gl.FramebufferRenderbuffer(GlConstants.Framebuffer, attachment, GlConstants.Renderbuffer, buffer);
        return buffer;
    }
}
