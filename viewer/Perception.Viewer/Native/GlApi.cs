namespace Perception.Viewer.Native;

/// <summary>
/// The OpenGL 3.3 core entry points the viewer calls, resolved once per context through its GetProcAddress (core
/// GL functions are not exported by name in a core profile, so each context's loader is the one to ask).
/// </summary>
internal sealed unsafe class GlApi
{
    public readonly delegate* unmanaged<int, int, int, int, void> Viewport;
    public readonly delegate* unmanaged<float, float, float, float, void> ClearColor;
    public readonly delegate* unmanaged<uint, void> Clear;
    public readonly delegate* unmanaged<uint, void> Enable;
    public readonly delegate* unmanaged<uint, void> Disable;
    public readonly delegate* unmanaged<uint> GetError;
    public readonly delegate* unmanaged<uint, byte*> GetString;
    public readonly delegate* unmanaged<void> Finish;
    public readonly delegate* unmanaged<int, uint*, void> GenVertexArrays;
    public readonly delegate* unmanaged<uint, void> BindVertexArray;
    public readonly delegate* unmanaged<int, uint*, void> DeleteVertexArrays;
    public readonly delegate* unmanaged<int, uint*, void> GenBuffers;
    public readonly delegate* unmanaged<uint, uint, void> BindBuffer;
    public readonly delegate* unmanaged<uint, nint, void*, uint, void> BufferData;
    public readonly delegate* unmanaged<int, uint*, void> DeleteBuffers;
    public readonly delegate* unmanaged<uint, int, uint, byte, int, nint, void> VertexAttribPointer;
    public readonly delegate* unmanaged<uint, void> EnableVertexAttribArray;
    public readonly delegate* unmanaged<uint, uint> CreateShader;
    public readonly delegate* unmanaged<uint, int, byte**, int*, void> ShaderSource;
    public readonly delegate* unmanaged<uint, void> CompileShader;
    public readonly delegate* unmanaged<uint, uint, int*, void> GetShaderiv;
    public readonly delegate* unmanaged<uint, int, int*, byte*, void> GetShaderInfoLog;
    public readonly delegate* unmanaged<uint, void> DeleteShader;
    public readonly delegate* unmanaged<uint> CreateProgram;
    public readonly delegate* unmanaged<uint, uint, void> AttachShader;
    public readonly delegate* unmanaged<uint, void> LinkProgram;
    public readonly delegate* unmanaged<uint, uint, int*, void> GetProgramiv;
    public readonly delegate* unmanaged<uint, int, int*, byte*, void> GetProgramInfoLog;
    public readonly delegate* unmanaged<uint, void> UseProgram;
    public readonly delegate* unmanaged<uint, void> DeleteProgram;
    public readonly delegate* unmanaged<uint, byte*, int> GetUniformLocation;
    public readonly delegate* unmanaged<int, int, byte, float*, void> UniformMatrix4fv;
    public readonly delegate* unmanaged<int, float, void> Uniform1f;
    public readonly delegate* unmanaged<uint, int, int, void> DrawArrays;
    public readonly delegate* unmanaged<int, int, int, int, uint, uint, void*, void> ReadPixels;
    public readonly delegate* unmanaged<uint, int, void> PixelStorei;
    public readonly delegate* unmanaged<int, uint*, void> GenFramebuffers;
    public readonly delegate* unmanaged<uint, uint, void> BindFramebuffer;
    public readonly delegate* unmanaged<uint, uint, uint, uint, void> FramebufferRenderbuffer;
    public readonly delegate* unmanaged<uint, uint> CheckFramebufferStatus;
    public readonly delegate* unmanaged<int, uint*, void> DeleteFramebuffers;
    public readonly delegate* unmanaged<int, uint*, void> GenRenderbuffers;
    public readonly delegate* unmanaged<uint, uint, void> BindRenderbuffer;
    public readonly delegate* unmanaged<uint, uint, int, int, void> RenderbufferStorage;
    public readonly delegate* unmanaged<int, uint*, void> DeleteRenderbuffers;

    public GlApi(Func<string, nint> getProcAddress)
    {
        nint Load(string name) => getProcAddress(name) is var address and not 0 ? address
            : throw new GlUnavailableException($"the GL context has no {name}; OpenGL 3.3 core is required.");

        Viewport = (delegate* unmanaged<int, int, int, int, void>)Load("glViewport");
        ClearColor = (delegate* unmanaged<float, float, float, float, void>)Load("glClearColor");
        Clear = (delegate* unmanaged<uint, void>)Load("glClear");
        Enable = (delegate* unmanaged<uint, void>)Load("glEnable");
        Disable = (delegate* unmanaged<uint, void>)Load("glDisable");
        GetError = (delegate* unmanaged<uint>)Load("glGetError");
        GetString = (delegate* unmanaged<uint, byte*>)Load("glGetString");
        Finish = (delegate* unmanaged<void>)Load("glFinish");
        GenVertexArrays = (delegate* unmanaged<int, uint*, void>)Load("glGenVertexArrays");
        BindVertexArray = (delegate* unmanaged<uint, void>)Load("glBindVertexArray");
        DeleteVertexArrays = (delegate* unmanaged<int, uint*, void>)Load("glDeleteVertexArrays");
        GenBuffers = (delegate* unmanaged<int, uint*, void>)Load("glGenBuffers");
        BindBuffer = (delegate* unmanaged<uint, uint, void>)Load("glBindBuffer");
        BufferData = (delegate* unmanaged<uint, nint, void*, uint, void>)Load("glBufferData");
        DeleteBuffers = (delegate* unmanaged<int, uint*, void>)Load("glDeleteBuffers");
        VertexAttribPointer = (delegate* unmanaged<uint, int, uint, byte, int, nint, void>)Load("glVertexAttribPointer");
        EnableVertexAttribArray = (delegate* unmanaged<uint, void>)Load("glEnableVertexAttribArray");
        CreateShader = (delegate* unmanaged<uint, uint>)Load("glCreateShader");
        ShaderSource = (delegate* unmanaged<uint, int, byte**, int*, void>)Load("glShaderSource");
        CompileShader = (delegate* unmanaged<uint, void>)Load("glCompileShader");
        GetShaderiv = (delegate* unmanaged<uint, uint, int*, void>)Load("glGetShaderiv");
        GetShaderInfoLog = (delegate* unmanaged<uint, int, int*, byte*, void>)Load("glGetShaderInfoLog");
        DeleteShader = (delegate* unmanaged<uint, void>)Load("glDeleteShader");
        CreateProgram = (delegate* unmanaged<uint>)Load("glCreateProgram");
        AttachShader = (delegate* unmanaged<uint, uint, void>)Load("glAttachShader");
        LinkProgram = (delegate* unmanaged<uint, void>)Load("glLinkProgram");
        GetProgramiv = (delegate* unmanaged<uint, uint, int*, void>)Load("glGetProgramiv");
        GetProgramInfoLog = (delegate* unmanaged<uint, int, int*, byte*, void>)Load("glGetProgramInfoLog");
        UseProgram = (delegate* unmanaged<uint, void>)Load("glUseProgram");
        DeleteProgram = (delegate* unmanaged<uint, void>)Load("glDeleteProgram");
        GetUniformLocation = (delegate* unmanaged<uint, byte*, int>)Load("glGetUniformLocation");
        UniformMatrix4fv = (delegate* unmanaged<int, int, byte, float*, void>)Load("glUniformMatrix4fv");
        Uniform1f = (delegate* unmanaged<int, float, void>)Load("glUniform1f");
        DrawArrays = (delegate* unmanaged<uint, int, int, void>)Load("glDrawArrays");
        ReadPixels = (delegate* unmanaged<int, int, int, int, uint, uint, void*, void>)Load("glReadPixels");
        PixelStorei = (delegate* unmanaged<uint, int, void>)Load("glPixelStorei");
        GenFramebuffers = (delegate* unmanaged<int, uint*, void>)Load("glGenFramebuffers");
        BindFramebuffer = (delegate* unmanaged<uint, uint, void>)Load("glBindFramebuffer");
        FramebufferRenderbuffer = (delegate* unmanaged<uint, uint, uint, uint, void>)Load("glFramebufferRenderbuffer");
        CheckFramebufferStatus = (delegate* unmanaged<uint, uint>)Load("glCheckFramebufferStatus");
        DeleteFramebuffers = (delegate* unmanaged<int, uint*, void>)Load("glDeleteFramebuffers");
        GenRenderbuffers = (delegate* unmanaged<int, uint*, void>)Load("glGenRenderbuffers");
        BindRenderbuffer = (delegate* unmanaged<uint, uint, void>)Load("glBindRenderbuffer");
        RenderbufferStorage = (delegate* unmanaged<uint, uint, int, int, void>)Load("glRenderbufferStorage");
        DeleteRenderbuffers = (delegate* unmanaged<int, uint*, void>)Load("glDeleteRenderbuffers");
    }

    /// <summary>Throws when the driver recorded an error since the last check; <paramref name="what"/> names the step.
    /// </summary>
    public void Check(string what)
    {
        uint error = GetError();
        if (error != 0)
        {
            throw new GlException($"OpenGL error 0x{error:X4} after {what}.");
        }
    }

    /// <summary>One new object name from a glGen* function.</summary>
    public static uint GenOne(delegate* unmanaged<int, uint*, void> generate)
    {
        uint id;
        generate(1, &id);
        return id;
    }

    /// <summary>Deletes one object name with a glDelete* function.</summary>
    public static void DeleteOne(delegate* unmanaged<int, uint*, void> delete, uint id) => delete(1, &id);

    /// <summary>glGetString as text ("4.5 (Core Profile) Mesa 22.3.6", "llvmpipe ...").</summary>
    public string Text(uint name) => System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)GetString(name)) ?? "";
}
