using System.Numerics;
using Perception.Viewer.Cameras;
using Perception.Viewer.Scenes;

namespace Perception.Viewer.Windowing;

/// <summary>The window's mouse camera: an eye on a sphere around a target (z up), turned, moved and zoomed by drags
/// and the wheel. It starts where the orbit preset looks from.</summary>
public sealed class OrbitCamera
{
    private const float FieldOfView = CameraSpec.PerspectiveFieldOfViewDegrees * MathF.PI / 180;

    public Vector3 Target { get; private set; }

    public float Distance { get; private set; }

    public float AzimuthDegrees { get; private set; }

    public float ElevationDegrees { get; private set; }

    /// <summary>Back to the orbit preset's view of <paramref name="scene"/> from behind the sensor.</summary>
    public void Reset(Scene scene)
    {
        Target = Vector3.Zero;
        Distance = CameraSpec.FittedReach(scene) / MathF.Sin(FieldOfView / 2);
        AzimuthDegrees = 180;
        ElevationDegrees = CameraSpec.OrbitElevationDegrees;
    }

    /// <summary>A drag of (dx, dy) pixels: 0.3° per pixel; the elevation stays between 2° and 89.5° so the view never
    /// flips over the pole.</summary>
    public void Rotate(float dx, float dy)
    {
        AzimuthDegrees = ((AzimuthDegrees - (0.3f * dx)) % 360 + 360) % 360;
        ElevationDegrees = Math.Clamp(ElevationDegrees + (0.3f * dy), 2f, 89.5f);
    }

    /// <summary>Moves the target in the ground plane so the scene follows the cursor (a pixel is about distance/1000).
    /// </summary>
    public void Pan(float dx, float dy)
    {
        (float sin, float cos) = MathF.SinCos(AzimuthDegrees * MathF.PI / 180);
        var right = new Vector3(-sin, cos, 0);
        var forward = new Vector3(-cos, -sin, 0);
        float scale = Distance / 1000;
        Target += scale * ((-dx * right) + (dy * forward));
    }

    /// <summary>One wheel step in is 10% closer; never nearer than 0.5 m or farther than 2 km.</summary>
    public void Zoom(float steps) => Distance = Math.Clamp(Distance * MathF.Pow(0.9f, steps), 0.5f, 2000f);

    public CameraView View() =>
        CameraSpec.OrbitView(Target, Distance, AzimuthDegrees, ElevationDegrees, FieldOfView);
}
