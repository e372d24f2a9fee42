namespace Perception.Viewer.Native;

/// <summary>The OpenGL enum values the viewer uses (values from the GL 3.3 core registry).</summary>
internal static class GlConstants
{
    public const uint Points = 0x0000;
    public const uint Lines = 0x0001;
    public const uint DepthBufferBit = 0x0100;
    public const uint ColorBufferBit = 0x4000;
    public const uint DepthTest = 0x0B71;
    public const uint ProgramPointSize = 0x8642;
    public const uint UnsignedByte = 0x1401;
    public const uint Float = 0x1406;
    public const uint Rgba = 0x1908;
    public const uint Rgba8 = 0x8058;
    public const uint DepthComponent24 = 0x81A6;
    public const uint PackAlignment = 0x0D05;
    public const uint ArrayBuffer = 0x8892;
    public const uint StaticDraw = 0x88E4;
    public const uint FragmentShader = 0x8B30;
    public const uint VertexShader = 0x8B31;
    public const uint CompileStatus = 0x8B81;
    public const uint LinkStatus = 0x8B82;
    public const uint Framebuffer = 0x8D40;
    public const uint Renderbuffer = 0x8D41;
    public const uint ColorAttachment0 = 0x8CE0;
    public const uint DepthAttachment = 0x8D00;
    public const uint FramebufferComplete = 0x8CD5;
    public const uint Version = 0x1F02;
    public const uint Renderer = 0x1F01;

}
