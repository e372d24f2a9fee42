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

    private readonly IViewerFrames frames;
    private readonly ViewerWindowOptions options;

    /// <exception cref="ArgumentException">There are no frames.</exception>
    public ViewerWindow(IViewerFrames frames, ViewerWindowOptions options)
    {
        if (frames.Count == 0)
        {
            throw new ArgumentException("the viewer needs at least one frame.", nameof(frames));
        }

        (this.frames, this.options) = (frames, options);
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
        var controls = new ViewerControls(frames.Count, options.Layers, options.View);
        var camera = new OrbitCamera();
        (int Frame, ComparisonView View) shown = (-1, controls.View);
        int drawn = 0, screenshots = 0;
        string? screenshot = null;
        ViewerFrame? frame = null;
        PanelRenderers? panels = null;
        double lastAdvance = glfw.GetTime(), lastX = 0, lastY = 0;
        int width = 0, height = 0;
        try
        {
            while (glfw.WindowShouldClose(window) == 0)
            {
                // A live topic adds frames; the window follows the newest unless the user stepped back.
                int before = controls.FrameCount;
                controls.Grow(frames.Count, follow: controls.Frame == before - 1);
                if (shown.Frame != controls.Frame || shown.View != controls.View)
                {
                    frame = shown.Frame != controls.Frame || frame is null ? frames.Load(controls.Frame) : frame;
                    panels?.Dispose();
                    panels = null;
                    panels = new PanelRenderers(gl, frame.Panels(controls.View));
                    if (shown.Frame < 0)
                    {
                        camera.Reset(panels.Panels[0]);
                    }

                    shown = (controls.Frame, controls.View);
                }

                glfw.GetFramebufferSize(window, &width, &height);
                panels!.Draw(camera.View(), width, height, controls.PointSize, controls.Layers);
                if (screenshot is not null)
                {
                    // Read before the swap: the back buffer holds this frame, the front buffer is undefined after it.
                    FramebufferReader.ReadRgb(gl, width, height).Save(screenshot);
                    screenshot = null;
                }

                glfw.SwapBuffers(window);
                drawn++;
                glfw.Title(window, Title(frame!, shown.Frame, controls));

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
                        camera.Reset(panels.Panels[0]);
                    }
                    else if (action == ViewerAction.Screenshot)
                    {
                        string name = $"viewer-{Path.GetFileNameWithoutExtension(frames.NameOf(shown.Frame))}-{++screenshots}.png";
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
                if (controls.Playing && glfw.GetTime() - lastAdvance >= SecondsToNext(controls.Frame, controls.FrameCount))
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
                panels!.Draw(camera.View(), width, height, controls.PointSize, controls.Layers);
                FramebufferReader.ReadRgb(gl, width, height).Save(path);
            }
        }
        finally
        {
            panels?.Dispose();
        }

        return drawn;
    }

    /// <summary>The recorded gap to the next frame, so a recording plays at its own rate; the window's frame rate for
    /// frames without times and when wrapping around to the first.</summary>
    private double SecondsToNext(int frame, int count)
    {
        double fallback = 1 / options.FramesPerSecond;
        return frame + 1 < count && frames.SecondsAt(frame) is { } now && frames.SecondsAt(frame + 1) is { } next
            ? Math.Max(next - now, 0) : fallback;
    }

    private string Title(ViewerFrame frame, int index, ViewerControls controls)
    {
        string comparison = frame.Comparison is not { } c ? ""
            : $" · {(controls.View == ComparisonView.Errors ? "errors" : "truth | prediction")}, accuracy {c.Accuracy * 100:F1}%";
        return $"{frames.NameOf(index)} ({index + 1}/{controls.FrameCount}) · {frame.Scene.Cloud.Count:N0} points{comparison} · "
            + $"{(controls.Playing ? "playing" : "paused")} · keys: ←/→ space 1-5 E +/- S R Q";
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
