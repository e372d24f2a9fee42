namespace Perception.Viewer;

/// <summary>A failure the user can act on (bad input, no GL); the CLI prints its message and exits with code 2.
/// </summary>
public abstract class ViewerException : Exception
{
    protected ViewerException(string message)
        : base(message)
    {
    }

    protected ViewerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
