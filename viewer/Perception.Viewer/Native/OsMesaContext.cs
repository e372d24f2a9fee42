using System.Runtime.InteropServices;

namespace Perception.Viewer.Native;

/// <summary>
/// A GL 3.3 core context from Mesa's off-screen library (OSMesa), the fallback when EGL cannot make one. Its colour
/// buffer is a tiny block of native memory; pictures are drawn into a framebuffer object of the requested size.
/// </summary>
internal sealed unsafe class OsMesaContext : IGlContext
{
    public const string DefaultLibrary = "libOSMesa.so.8";
    private const int BufferSize = 16;
    private const int UnsignedByte = 0x1401;

    private readonly delegate* unmanaged<nint, void> destroyContext;
    private readonly delegate* unmanaged<byte*, nint> getProcAddress;
    private readonly nint context;
    private readonly string libraryName;
    private readonly void* buffer;

    private OsMesaContext(nint library, string libraryName)
    {
        this.libraryName = libraryName;
        var createContext = (delegate* unmanaged<int*, nint, nint>)
            NativeLibraries.Export(library, libraryName, "OSMesaCreateContextAttribs");
        var makeCurrent = (delegate* unmanaged<nint, void*, int, int, int, byte>)
            NativeLibraries.Export(library, libraryName, "OSMesaMakeCurrent");
        destroyContext = (delegate* unmanaged<nint, void>)NativeLibraries.Export(library, libraryName, "OSMesaDestroyContext");
        getProcAddress = (delegate* unmanaged<byte*, nint>)NativeLibraries.Export(library, libraryName, "OSMesaGetProcAddress");

        // OSMESA_FORMAT RGBA, 24 depth bits, core profile, version 3.3 (osmesa.h attribute names 0x22, 0x30, 0x33..0x37).
        int* attributes = stackalloc int[] { 0x22, 0x1908, 0x30, 24, 0x33, 0x34, 0x36, 3, 0x37, 3, 0 };
        context = createContext(attributes, 0);
        if (context == 0)
        {
            throw new GlUnavailableException($"{libraryName}: OSMesaCreateContextAttribs refused a GL 3.3 core context");
        }

        buffer = NativeMemory.AllocZeroed(BufferSize * BufferSize * 4);
        if (makeCurrent(context, buffer, UnsignedByte, BufferSize, BufferSize) == 0)
        {
            Dispose();
            throw new GlUnavailableException($"{libraryName}: OSMesaMakeCurrent failed");
        }
    }

    public string Description => $"OSMesa ({libraryName})";

    /// <summary>A current context, or null with <paramref name="failure"/> saying why not.</summary>
    public static OsMesaContext? TryCreate(string libraryName, out string? failure) =>
        NativeLibraries.TryCreate(libraryName, library => new OsMesaContext(library, libraryName), out failure);

    public nint GetProcAddress(string name)
    {
        fixed (byte* ascii = System.Text.Encoding.ASCII.GetBytes(name + "\0"))
        {
            return getProcAddress(ascii);
        }
    }

    public void Dispose()
    {
        destroyContext(context);
        NativeMemory.Free(buffer);
    }
}
