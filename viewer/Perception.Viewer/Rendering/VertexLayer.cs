using Perception.Viewer.Native;

namespace Perception.Viewer.Rendering;

/// <summary>One drawable layer on the GPU: a vertex array with xyz float positions (location 0) and RGBA byte
/// colours normalised to 0..1 (location 1), drawn as points or lines.</summary>
internal sealed unsafe class VertexLayer : IDisposable
{
    private readonly GlApi gl;
    private readonly uint primitive;
    private readonly int count;
    private readonly uint vertexArray;
    private readonly uint positionBuffer;
    private readonly uint colorBuffer;

    public VertexLayer(GlApi gl, uint primitive, ReadOnlySpan<float> positions, ReadOnlySpan<byte> colors)
    {
        this.gl = gl;
        this.primitive = primitive;
        count = positions.Length / 3;
        vertexArray = GlApi.GenOne(gl.GenVertexArrays);
        gl.BindVertexArray(vertexArray);
        positionBuffer = Upload(positions.Length * sizeof(float), positions);
        gl.VertexAttribPointer(0, 3, GlConstants.Float, 0, 0, 0);
        gl.EnableVertexAttribArray(0);
        colorBuffer = Upload(colors.Length, colors);
        gl.VertexAttribPointer(1, 4, GlConstants.UnsignedByte, 1, 0, 0);
        gl.EnableVertexAttribArray(1);
        gl.BindVertexArray(0);
        gl.Check("uploading a vertex layer");
    }

    public void Draw()
    {
        if (count == 0)
        {
            return;
        }

        gl.BindVertexArray(vertexArray);
        gl.DrawArrays(primitive, 0, count);
        gl.BindVertexArray(0);
    }

    public void Dispose()
    {
        GlApi.DeleteOne(gl.DeleteBuffers, positionBuffer);
        GlApi.DeleteOne(gl.DeleteBuffers, colorBuffer);
        GlApi.DeleteOne(gl.DeleteVertexArrays, vertexArray);
    }

    private uint Upload<T>(int bytes, ReadOnlySpan<T> data)
        where T : unmanaged
    {
        uint buffer = GlApi.GenOne(gl.GenBuffers);
        gl.BindBuffer(GlConstants.ArrayBuffer, buffer);
        fixed (T* source = data)
        {
            gl.BufferData(GlConstants.ArrayBuffer, bytes, source, GlConstants.StaticDraw);
        }

        return buffer;
    }
}
