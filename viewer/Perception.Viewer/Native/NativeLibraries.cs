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
    /// <summary>A context made by <paramref name="create"/> from the loaded library, or null with
    /// <paramref name="failure"/> saying why not (the library is missing, or the context could not be made).</summary>
    public static T? TryCreate<T>(string libraryName, Func<nint, T> create, out string? failure)
        where T : class
    {
        nint library = Load(libraryName, out failure);
        if (library == 0)
        {
            return null;
        }

        try
        {
            return create(library);
        }
        catch (GlUnavailableException e)
        {
            failure = e.Message;
            return null;
        }
    }

    public static nint Export(nint library, string libraryName, string symbol) =>
        NativeLibrary.TryGetExport(library, symbol, out nint address) ? address
            : throw new GlUnavailableException($"{libraryName} has no {symbol}.");
}
