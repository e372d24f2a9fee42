namespace Perception.Viewer.Native;

/// <summary>
/// A GL 3.3 core context from Mesa's EGL on the surfaceless platform: no X server, no GPU device needed. It owns a
/// tiny pbuffer only to be current on; pictures are drawn into a framebuffer object of the requested size.
/// </summary>
internal sealed unsafe class EglContext : IGlContext
{
    public const string DefaultLibrary = "libEGL.so.1";
    private const int PlatformSurfacelessMesa = 0x31DD;
    private const int None = 0x3038;
    private const int OpenGlApi = 0x30A2;

    private readonly nint library;
    private readonly string libraryName;
    private readonly delegate* unmanaged<nint, nint, nint, nint, int> makeCurrent;
    private readonly delegate* unmanaged<nint, nint, int> destroyContext;
    private readonly delegate* unmanaged<nint, nint, int> destroySurface;
    private readonly delegate* unmanaged<nint, int> terminate;
    private readonly delegate* unmanaged<byte*, nint> getProcAddress;
    private readonly nint display;
    private readonly nint surface;
    private readonly nint context;

    private EglContext(nint library, string libraryName)
    {
        this.libraryName = libraryName;
        this.library = library;
        var getPlatformDisplay = (delegate* unmanaged<int, nint, nint*, nint>)Export("eglGetPlatformDisplay");
        var initialize = (delegate* unmanaged<nint, int*, int*, int>)Export("eglInitialize");
        var chooseConfig = (delegate* unmanaged<nint, int*, nint*, int, int*, int>)Export("eglChooseConfig");
        var bindApi = (delegate* unmanaged<int, int>)Export("eglBindAPI");
        var createPbuffer = (delegate* unmanaged<nint, nint, int*, nint>)Export("eglCreatePbufferSurface");
        var createContext = (delegate* unmanaged<nint, nint, nint, int*, nint>)Export("eglCreateContext");
        var getError = (delegate* unmanaged<int>)Export("eglGetError");
        makeCurrent = (delegate* unmanaged<nint, nint, nint, nint, int>)Export("eglMakeCurrent");
        destroyContext = (delegate* unmanaged<nint, nint, int>)Export("eglDestroyContext");
        destroySurface = (delegate* unmanaged<nint, nint, int>)Export("eglDestroySurface");
        terminate = (delegate* unmanaged<nint, int>)Export("eglTerminate");
        getProcAddress = (delegate* unmanaged<byte*, nint>)Export("eglGetProcAddress");

        display = getPlatformDisplay(PlatformSurfacelessMesa, 0, null);
        int major, minor;
        if (display == 0 || initialize(display, &major, &minor) == 0)
        {
            throw Failure("eglInitialize on the surfaceless platform", getError());
        }

        // Surface type pbuffer, OpenGL renderable, RGBA8 with a 24-bit depth buffer.
        int* configAttributes = stackalloc int[]
        {
            0x3033, 0x0001, 0x3040, 0x0008, 0x3024, 8, 0x3023, 8, 0x3022, 8, 0x3021, 8, 0x3025, 24, None,
        };
        nint config;
        int count;
        if (chooseConfig(display, configAttributes, &config, 1, &count) == 0 || count == 0 || bindApi(OpenGlApi) == 0)
        {
            throw Failure("no RGBA8 + depth OpenGL pbuffer config", getError());
        }

        int* surfaceAttributes = stackalloc int[] { 0x3057, 16, 0x3056, 16, None };
        surface = createPbuffer(display, config, surfaceAttributes);
        // Context version 3.3 with the core profile bit in the profile mask.
        int* contextAttributes = stackalloc int[] { 0x3098, 3, 0x30FB, 3, 0x30FD, 0x1, None };
        context = createContext(display, config, 0, contextAttributes);
        if (surface == 0 || context == 0 || makeCurrent(display, surface, surface, context) == 0)
        {
            throw Failure("no current GL 3.3 core context", getError());
        }
    }

    public string Description => $"EGL surfaceless ({libraryName})";

    /// <summary>A current context, or null with <paramref name="failure"/> saying why not.</summary>
    public static EglContext? TryCreate(string libraryName, out string? failure) =>
        NativeLibraries.TryCreate(libraryName, library => new EglContext(library, libraryName), out failure);

    public nint GetProcAddress(string name)
    {
        fixed (byte* ascii = System.Text.Encoding.ASCII.GetBytes(name + "\0"))
        {
            return getProcAddress(ascii);
        }
    }

    public void Dispose()
    {
        makeCurrent(display, 0, 0, 0);
        destroyContext(display, context);
        destroySurface(display, surface);
        terminate(display);
    }

    private nint Export(string symbol) => NativeLibraries.Export(library, libraryName, symbol);

    private GlUnavailableException Failure(string what, int eglError) =>
        new($"{libraryName}: {what} (EGL error 0x{eglError:X4})");
}
