namespace Perception.Viewer.Native;

/// <summary>Which library makes the off-screen context.</summary>
public enum HeadlessBackend
{
    /// <summary>EGL surfaceless, falling back to OSMesa.</summary>
    Auto,
    Egl,
    OsMesa,
}

/// <summary>Which libraries to try for an off-screen context; the names are Debian's (libegl1, libosmesa6).</summary>
public sealed record HeadlessGlOptions
{
    public HeadlessBackend Backend { get; init; } = HeadlessBackend.Auto;

    public string EglLibrary { get; init; } = EglContext.DefaultLibrary;

    public string OsMesaLibrary { get; init; } = OsMesaContext.DefaultLibrary;
}

/// <summary>Makes an off-screen GL 3.3 core context: EGL surfaceless first (no X server), then OSMesa.</summary>
internal static class HeadlessGl
{
    public static IGlContext Create(HeadlessGlOptions options)
    {
        var failures = new List<string>();
        if (options.Backend is HeadlessBackend.Auto or HeadlessBackend.Egl)
        {
            if (EglContext.TryCreate(options.EglLibrary, out string? failure) is { } egl)
            {
                return egl;
            }

            failures.Add(failure!);
        }

        if (options.Backend is HeadlessBackend.Auto or HeadlessBackend.OsMesa)
        {
            if (OsMesaContext.TryCreate(options.OsMesaLibrary, out string? failure) is { } osMesa)
            {
                return osMesa;
            }

            failures.Add(failure!);
        }

        throw new GlUnavailableException(
            $"no OpenGL 3.3 core context for headless rendering; tried {string.Join("; ", failures)}. "
            + "On Debian: apt-get install libegl1 libgl1-mesa-dri libosmesa6.");
    }
}
