using System.Runtime.InteropServices;
using Perception.Viewer.Native;
using Perception.Viewer.Rendering;
using Perception.Viewer.Scenes;

namespace Perception.Viewer.Windowing;

/// <summary>
/// The interactive viewer: a GLFW window with a GL 3.3 core context, the mouse orbiting (left drag), panning (right
/// drag) and zooming (wheel), and the keys of <see cref="ViewerControls"/>. Frames are loaded when shown.
/// </summary>
public sealed unsafe class ViewerWindow
{
    // GLFW calls back into static functions; the events wait here until the loop takes them (one window per process).
    private static readonly Queue<int> PressedKeys = new();
    private static double scrolled;

    private readonly IReadOnlyList<string> frames;
    private readonly Func<string, Scene> load;
    private readonly ViewerWindowOptions options;

    public ViewerWindow(IReadOnlyList<string> frames, Func<string, Scene> load, ViewerWindowOptions options)
    {
        if (frames.Count == 0)
        {
            throw new ArgumentException("the viewer needs at least one frame.", nameof(frames));
        }

        (this.frames, this.load, this.options) = (frames, load, options);
    }

    /// <summary>Opens the window and runs until it is closed; returns the number of frames drawn.</summary>
    /// <exception cref="GlUnavailableException">No GLFW, no display, or no GL 3.3 core context.</exception>
    public int Run()
    {
        var glfw = new Glfw();
        if (glfw.Init() == 0)
        {
            throw new GlUnavailableException($"glfwInit failed ({glfw.LastError()}); is DISPLAY set to a running X server?");
        }

        try
        {
            // Context 3.3, core profile, forward compatible (GLFW hint ids from glfw3.h).
            (int Hint, int Value)[] hints = [(0x22002, 3), (0x22003, 3), (0x22008, 0x32001), (0x22006, 1)];
            foreach ((int hint, int value) in hints)
            {
                glfw.WindowHint(hint, value);
            }

            nint window;
            fixed (byte* title = "Perception viewer\0"u8)
            {
                window = glfw.CreateWindow(options.Width, options.Height, title, 0, 0);
            }

            if (window == 0)
            {
                throw new GlUnavailableException($"no GL 3.3 core window: {glfw.LastError()}");
            }

            try
            {
                glfw.MakeContextCurrent(window);
                glfw.SwapInterval(1);
                glfw.SetKeyCallback(window, &OnKey);
                glfw.SetScrollCallback(window, &OnScroll);
                return Loop(glfw, window, new GlApi(glfw.ProcAddress));
            }
            finally
            {
                glfw.DestroyWindow(window);
            }
        }
        finally
        {
            glfw.Terminate();
        }
    }

    private int Loop(Glfw glfw, nint window, GlApi gl)
    {
        var controls = new ViewerControls(frames.Count);
        var camera = new OrbitCamera();
        int shownFrame = -1, drawn = 0, screenshots = 0;
        string? screenshot = null;
        Scene? scene = null;
        SceneRenderer? renderer = null;
        double lastAdvance = glfw.GetTime(), lastX = 0, lastY = 0;
        int width = 0, height = 0;
        try
        {
            while (glfw.WindowShouldClose(window) == 0)
            {
                if (shownFrame != controls.Frame)
                {
                    renderer?.Dispose();
                    scene = load(frames[controls.Frame]);
                    renderer = new SceneRenderer(gl, scene);
                    if (shownFrame < 0)
                    {
                        camera.Reset(scene);
                    }

                    shownFrame = controls.Frame;
                }

                glfw.GetFramebufferSize(window, &width, &height);
                float aspect = width / (float)Math.Max(height, 1);
                SceneRenderer.Clear(gl, width, height);
                renderer!.Draw(camera.View().ViewProjection(aspect), 0, width, height, controls.PointSize, controls.Layers);
                if (screenshot is not null)
                {
                    // Read before the swap: the back buffer holds this frame, the front buffer is undefined after it.
                    FramebufferReader.ReadRgb(gl, width, height).Save(screenshot);
                    screenshot = null;
                }

                glfw.SwapBuffers(window);
                drawn++;
                glfw.Title(window, $"{Path.GetFileName(frames[shownFrame])} ({shownFrame + 1}/{frames.Count}) · "
                    + $"{scene!.Cloud.Count:N0} points · {(controls.Playing ? "playing" : "paused")} · keys: ←/→ space 1-4 +/- S R Q");

                glfw.PollEvents();
                while (PressedKeys.TryDequeue(out int key))
                {
                    ViewerAction action = ViewerControls.ActionOf(key);
                    controls.Apply(action);
                    if (action == ViewerAction.Quit)
                    {
                        glfw.SetWindowShouldClose(window, 1);
                    }
                    else if (action == ViewerAction.ResetView)
                    {
                        camera.Reset(scene);
                    }
                    else if (action == ViewerAction.Screenshot)
                    {
                        string name = $"viewer-{Path.GetFileNameWithoutExtension(frames[shownFrame])}-{++screenshots}.png";
                        screenshot = Path.Combine(options.ScreenshotFolder, name);
                    }
                }

                double x, y;
                glfw.GetCursorPos(window, &x, &y);
                if (glfw.GetMouseButton(window, 0) == Glfw.Press)
                {
                    camera.Rotate((float)(x - lastX), (float)(y - lastY));
                }
                else if (glfw.GetMouseButton(window, 1) == Glfw.Press)
                {
                    camera.Pan((float)(x - lastX), (float)(y - lastY));
                }

                (lastX, lastY) = (x, y);
                camera.Zoom((float)scrolled);
                scrolled = 0;
                if (controls.Playing && glfw.GetTime() - lastAdvance >= 1 / options.FramesPerSecond)
                {
                    controls.Apply(ViewerAction.NextFrame);
                    lastAdvance = glfw.GetTime();
                }

                if (options.QuitAfterFrames > 0 && drawn >= options.QuitAfterFrames)
                {
                    glfw.SetWindowShouldClose(window, 1);
                }
            }

            if (options.ScreenshotOnClose is { } path)
            {
                SceneRenderer.Clear(gl, width, height);
                renderer!.Draw(camera.View().ViewProjection(width / (float)Math.Max(height, 1)), 0, width, height,
                    controls.PointSize, controls.Layers);
                FramebufferReader.ReadRgb(gl, width, height).Save(path);
            }
        }
        finally
        {
            renderer?.Dispose();
        }

        return drawn;
    }

    [UnmanagedCallersOnly]
    private static void OnKey(nint window, int key, int scancode, int action, int mods)
    {
        if (action == Glfw.Press || (action == 2 && key is 262 or 263))
        {
            PressedKeys.Enqueue(key);
        }
    }

    [UnmanagedCallersOnly]
    private static void OnScroll(nint window, double dx, double dy) => scrolled += dy;
}
