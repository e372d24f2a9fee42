namespace Perception.Viewer;

/// <summary>The GL driver rejected something the renderer asked for (a shader, a framebuffer, a call).</summary>
public sealed class GlException : ViewerException
{
    public GlException(string message)
        : base(message)
    {
    }
}
