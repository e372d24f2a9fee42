namespace Perception.Viewer;

/// <summary>No OpenGL 3.3 core context could be made; the message names every library tried and why it failed.
/// </summary>
public sealed class GlUnavailableException : ViewerException
{
    public GlUnavailableException(string message)
        : base(message)
    {
    }
}
