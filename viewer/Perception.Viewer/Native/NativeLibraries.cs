using System.Runtime.InteropServices;

namespace Perception.Viewer.Native;

/// <summary>Loads a native library by file name and resolves its exports, with failures worded for the user.</summary>
internal static class NativeLibraries
{
    /// <summary>The library's handle, or a reason it could not be loaded (for the "no GL" message).</summary>
    public static nint Load(string fileName, out string? failure)
    {
        if (NativeLibrary.TryLoad(fileName, out nint handle))
        {
            failure = null;
            return handle;
        }

        failure = $"{fileName}: not found or not loadable";
        return 0;
    }

    /// <summary>An export the library must have; its absence means a broken or foreign library.</summary>
    public static nint Export(nint library, string libraryName, string symbol) =>
        NativeLibrary.TryGetExport(library, symbol, out nint address) ? address
            : throw new GlUnavailableException($"{libraryName} has no {symbol}.");
}
