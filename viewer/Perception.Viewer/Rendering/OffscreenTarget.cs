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

    /// <summary>The picture as top-down RGB rows (GL's rows run bottom-up).</summary>
    public RgbImage ReadRgb()
    {
        var rgba = new byte[Width * Height * 4];
        gl.Finish();
        gl.PixelStorei(GlConstants.PackAlignment, 1);
        fixed (byte* pixels = rgba)
        {
            gl.ReadPixels(0, 0, Width, Height, GlConstants.Rgba, GlConstants.UnsignedByte, pixels);
        }

        gl.Check("glReadPixels");
        var rgb = new byte[Width * Height * 3];
        for (int row = 0; row < Height; row++)
        {
            int from = (Height - 1 - row) * Width * 4, to = row * Width * 3;
            for (int col = 0; col < Width; col++)
            {
                rgb[to + (col * 3)] = rgba[from + (col * 4)];
                rgb[to + (col * 3) + 1] = rgba[from + (col * 4) + 1];
                rgb[to + (col * 3) + 2] = rgba[from + (col * 4) + 2];
            }
        }

        return new RgbImage(Width, Height, rgb);
    }

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
