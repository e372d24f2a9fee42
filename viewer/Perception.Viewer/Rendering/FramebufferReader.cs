using Perception.Viewer.Imaging;
using Perception.Viewer.Native;

namespace Perception.Viewer.Rendering;

/// <summary>Reads the bound framebuffer back as a picture: glReadPixels gives RGBA rows bottom-up, pictures are RGB
/// top-down.</summary>
internal static unsafe class FramebufferReader
{
    public static RgbImage ReadRgb(GlApi gl, int width, int height)
    {
        var rgba = new byte[width * height * 4];
        gl.Finish();
        gl.PixelStorei(GlConstants.PackAlignment, 1);
        fixed (byte* pixels = rgba)
        {
            gl.ReadPixels(0, 0, width, height, GlConstants.Rgba, GlConstants.UnsignedByte, pixels);
        }

        gl.Check("glReadPixels");
        var rgb = new byte[width * height * 3];
        for (int row = 0; row < height; row++)
        {
            int from = (height - 1 - row) * width * 4, to = row * width * 3;
            for (int col = 0; col < width; col++)
            {
                rgb[to + (col * 3)] = rgba[from + (col * 4)];
                rgb[to + (col * 3) + 1] = rgba[from + (col * 4) + 1];
                rgb[to + (col * 3) + 2] = rgba[from + (col * 4) + 2];
            }
        }

        return new RgbImage(width, height, rgb);
    }
}
