namespace Perception.Viewer.Native;

/// <summary>An OpenGL 3.3 core context, current on the thread that created it.</summary>
internal interface IGlContext : IDisposable
{
    /// <summary>How the context was made, e.g. "EGL surfaceless (libEGL.so.1)".</summary>
    string Description { get; }

    /// <summary>The address of a GL entry point, or zero.</summary>
    nint GetProcAddress(string name);
}
