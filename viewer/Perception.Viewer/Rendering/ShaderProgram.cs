using System.Numerics;
using System.Text;
using Perception.Viewer.Native;

namespace Perception.Viewer.Rendering;

/// <summary>The one program every layer is drawn with: position and RGBA per vertex, a view-projection matrix and a
/// point size (GL_PROGRAM_POINT_SIZE lets the vertex shader set it).</summary>
internal sealed unsafe class ShaderProgram : IDisposable
{
    private const string VertexSource = """
        #version 330 core
        layout(location = 0) in vec3 position;
        layout(location = 1) in vec4 color;
        uniform mat4 viewProjection;
        uniform float pointSize;
        out vec4 vertexColor;
        void main() {
            gl_Position = viewProjection * vec4(position, 1.0);
            gl_PointSize = pointSize;
            vertexColor = color;
        }
        """;

    private const string FragmentSource = """
        #version 330 core
        in vec4 vertexColor;
        out vec4 fragmentColor;
        void main() { fragmentColor = vertexColor; }
        """;

    private readonly GlApi gl;
    private readonly uint program;
    private readonly int viewProjection;
    private readonly int pointSize;

    public ShaderProgram(GlApi gl)
    {
        this.gl = gl;
        uint vertex = Compile(GlConstants.VertexShader, VertexSource);
        uint fragment = Compile(GlConstants.FragmentShader, FragmentSource);
        program = gl.CreateProgram();
        gl.AttachShader(program, vertex);
        gl.AttachShader(program, fragment);
        gl.LinkProgram(program);
        gl.DeleteShader(vertex);
        gl.DeleteShader(fragment);
        int linked;
        gl.GetProgramiv(program, GlConstants.LinkStatus, &linked);
        if (linked == 0)
        {
            byte* log = stackalloc byte[1024];
            int length;
            gl.GetProgramInfoLog(program, 1024, &length, log);
            throw new GlException($"shader program did not link: {Encoding.UTF8.GetString(log, length)}");
        }

        viewProjection = Uniform("viewProjection");
        pointSize = Uniform("pointSize");
    }

    public void Use(Matrix4x4 transform, float size)
    {
        gl.UseProgram(program);
        gl.UniformMatrix4fv(viewProjection, 1, 0, &transform.M11);
        gl.Uniform1f(pointSize, size);
    }

    public void Dispose() => gl.DeleteProgram(program);

    private uint Compile(uint kind, string source)
    {
        uint shader = gl.CreateShader(kind);
        fixed (byte* text = Encoding.ASCII.GetBytes(source))
        {
            byte* texts = text;
            int length = source.Length;
            gl.ShaderSource(shader, 1, &texts, &length);
        }

        gl.CompileShader(shader);
        int compiled;
        gl.GetShaderiv(shader, GlConstants.CompileStatus, &compiled);
        if (compiled == 0)
        {
            byte* log = stackalloc byte[1024];
            int length;
            gl.GetShaderInfoLog(shader, 1024, &length, log);
            throw new GlException($"shader did not compile: {Encoding.UTF8.GetString(log, length)}");
        }

        return shader;
    }

    private int Uniform(string name)
    {
        fixed (byte* ascii = Encoding.ASCII.GetBytes(name + "\0"))
        {
            return gl.GetUniformLocation(program, ascii);
        }
    }
}
