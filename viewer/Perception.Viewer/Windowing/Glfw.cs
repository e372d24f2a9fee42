using System.Runtime.InteropServices;
using Perception.Viewer.Native;

namespace Perception.Viewer.Windowing;

/// <summary>The GLFW 3.3 entry points the window uses (Debian libglfw3), resolved from libglfw.so.3.</summary>
internal sealed unsafe class Glfw
{
    public const string LibraryName = "libglfw.so.3";
    public const int Press = 1;
    public const int Release = 0;

    public readonly delegate* unmanaged<int> Init;
    public readonly delegate* unmanaged<void> Terminate;
    public readonly delegate* unmanaged<int, int, void> WindowHint;
    public readonly delegate* unmanaged<int, int, byte*, nint, nint, nint> CreateWindow;
    public readonly delegate* unmanaged<nint, void> DestroyWindow;
    public readonly delegate* unmanaged<nint, void> MakeContextCurrent;
    public readonly delegate* unmanaged<byte*, nint> GetProcAddress;
    public readonly delegate* unmanaged<nint, void> SwapBuffers;
    public readonly delegate* unmanaged<int, void> SwapInterval;
    public readonly delegate* unmanaged<void> PollEvents;
    public readonly delegate* unmanaged<nint, int> WindowShouldClose;
    public readonly delegate* unmanaged<nint, int, void> SetWindowShouldClose;
    public readonly delegate* unmanaged<nint, int*, int*, void> GetFramebufferSize;
    public readonly delegate* unmanaged<nint, double*, double*, void> GetCursorPos;
    public readonly delegate* unmanaged<nint, int, int> GetMouseButton;
    public readonly delegate* unmanaged<nint, int, int> GetKey;
    public readonly delegate* unmanaged<nint, byte*, void> SetWindowTitle;
    public readonly delegate* unmanaged<double> GetTime;
    public readonly delegate* unmanaged<byte**, int> GetError;
    public readonly delegate* unmanaged<nint, delegate* unmanaged<nint, int, int, int, int, void>, nint> SetKeyCallback;
    public readonly delegate* unmanaged<nint, delegate* unmanaged<nint, double, double, void>, nint> SetScrollCallback;

    public Glfw()
    {
        if (!NativeLibrary.TryLoad(LibraryName, out nint library))
        {
            throw new GlUnavailableException($"{LibraryName} not found; on Debian: apt-get install libglfw3.");
        }

        nint Load(string name) => NativeLibraries.Export(library, LibraryName, name);
        Init = (delegate* unmanaged<int>)Load("glfwInit");
        Terminate = (delegate* unmanaged<void>)Load("glfwTerminate");
        WindowHint = (delegate* unmanaged<int, int, void>)Load("glfwWindowHint");
        CreateWindow = (delegate* unmanaged<int, int, byte*, nint, nint, nint>)Load("glfwCreateWindow");
        DestroyWindow = (delegate* unmanaged<nint, void>)Load("glfwDestroyWindow");
        MakeContextCurrent = (delegate* unmanaged<nint, void>)Load("glfwMakeContextCurrent");
        GetProcAddress = (delegate* unmanaged<byte*, nint>)Load("glfwGetProcAddress");
        SwapBuffers = (delegate* unmanaged<nint, void>)Load("glfwSwapBuffers");
        SwapInterval = (delegate* unmanaged<int, void>)Load("glfwSwapInterval");
        PollEvents = (delegate* unmanaged<void>)Load("glfwPollEvents");
        WindowShouldClose = (delegate* unmanaged<nint, int>)Load("glfwWindowShouldClose");
        SetWindowShouldClose = (delegate* unmanaged<nint, int, void>)Load("glfwSetWindowShouldClose");
        GetFramebufferSize = (delegate* unmanaged<nint, int*, int*, void>)Load("glfwGetFramebufferSize");
        GetCursorPos = (delegate* unmanaged<nint, double*, double*, void>)Load("glfwGetCursorPos");
        GetMouseButton = (delegate* unmanaged<nint, int, int>)Load("glfwGetMouseButton");
        GetKey = (delegate* unmanaged<nint, int, int>)Load("glfwGetKey");
        SetWindowTitle = (delegate* unmanaged<nint, byte*, void>)Load("glfwSetWindowTitle");
        GetTime = (delegate* unmanaged<double>)Load("glfwGetTime");
        GetError = (delegate* unmanaged<byte**, int>)Load("glfwGetError");
        SetKeyCallback = (delegate* unmanaged<nint, delegate* unmanaged<nint, int, int, int, int, void>, nint>)Load("glfwSetKeyCallback");
        SetScrollCallback = (delegate* unmanaged<nint, delegate* unmanaged<nint, double, double, void>, nint>)Load("glfwSetScrollCallback");
    }

    /// <summary>GLFW's description of its last error, for messages.</summary>
    public string LastError()
    {
        byte* text = null;
        int code = GetError(&text);
        return code == 0 ? "no GLFW error" : $"GLFW error 0x{code:X}: {Marshal.PtrToStringUTF8((nint)text)}";
    }

    public nint ProcAddress(string name)
    {
        fixed (byte* ascii = System.Text.Encoding.ASCII.GetBytes(name + "\0"))
        {
            return GetProcAddress(ascii);
        }
    }

    public void Title(nint window, string title)
    {
        fixed (byte* utf8 = System.Text.Encoding.UTF8.GetBytes(title + "\0"))
        {
            SetWindowTitle(window, utf8);
        }
    }
}
