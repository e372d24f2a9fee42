using System.Globalization;
using System.Numerics;
using Perception.Viewer.Scenes;

namespace Perception.Viewer.Cameras;

/// <summary>The kind of a preset camera.</summary>
public enum CameraKind
{
    /// <summary>Bird's-eye: orthographic, straight down, x right and y up in the picture, centred on the sensor.</summary>
    Bev,

    /// <summary>Behind and above the sensor, looking ahead along +x.</summary>
    Chase,

    /// <summary>Around the cloud's centre at 35° elevation, from the azimuth given in degrees (0 = from +x,
    /// counter-clockwise seen from above).</summary>
    Orbit,
}

/// <summary>A preset camera as the command line names it: <c>bev</c>, <c>chase</c> or <c>orbit:&lt;degrees&gt;</c>.
/// </summary>
public readonly record struct CameraSpec(CameraKind Kind, float AzimuthDegrees = 0)
{
    /// <summary>Bird's-eye views reach at most this far from the sensor: beyond, a scan is a few sparse rings.</summary>
    public const float MaxReach = 60f;

    public const float OrbitElevationDegrees = 35f;

    public const float PerspectiveFieldOfViewDegrees = 50f;

    /// <exception cref="ArgumentException">Not one of the forms above.</exception>
    public static CameraSpec Parse(string text)
    {
        string lower = text.Trim().ToLowerInvariant();
        if (lower == "bev" || lower == "chase")
        {
            return new CameraSpec(lower == "bev" ? CameraKind.Bev : CameraKind.Chase);
        }

        if (lower.StartsWith("orbit:", StringComparison.Ordinal)
            && float.TryParse(lower["orbit:".Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out float angle)
            && float.IsFinite(angle))
        {
            return new CameraSpec(CameraKind.Orbit, angle);
        }

        throw new ArgumentException($"camera '{text}': expected bev, chase or orbit:<degrees> (e.g. orbit:45).", nameof(text));
    }

    /// <summary>How far the bird's-eye view reaches: the farthest |x| or |y| of a point plus 5%, between 1 m and
    /// <see cref="MaxReach"/>.</summary>
    public static float FittedReach(Scene scene)
    {
        float reach = Math.Max(Math.Max(-scene.Min.X, scene.Max.X), Math.Max(-scene.Min.Y, scene.Max.Y));
        return Math.Min(Math.Max(reach, 1f) * 1.05f, MaxReach);
    }

    /// <summary>The view of this preset on <paramref name="scene"/>; <paramref name="aspect"/> is width / height.</summary>
    public CameraView ViewOf(Scene scene, float aspect)
    {
        float reach = FittedReach(scene);
        float fov = PerspectiveFieldOfViewDegrees * MathF.PI / 180;
        switch (Kind)
        {
            case CameraKind.Bev:
                // The reach fits the shorter side of the picture; the eye is above everything, looking down.
                float top = scene.Max.Z + 10;
                float depth = top - Math.Min(scene.Min.Z, 0) + 10;
                return new CameraView(new Vector3(0, 0, top), new Vector3(0, 0, top - 1), Vector3.UnitY, Orthographic: true,
                    HalfHeight: reach / Math.Min(aspect, 1f), FieldOfView: 0, Near: 0.1f, Far: depth);
            case CameraKind.Chase:
                return new CameraView(new Vector3(-0.3f * reach, 0, 0.18f * reach), new Vector3(0.3f * reach, 0, 0),
                    Vector3.UnitZ, Orthographic: false, 0, fov, Near: 0.05f, Far: 4 * reach);
            default:
                Vector3 center = (Vector3.Clamp(scene.Min, new Vector3(-MaxReach), new Vector3(MaxReach))
                    + Vector3.Clamp(scene.Max, new Vector3(-MaxReach), new Vector3(MaxReach))) / 2;
                float distance = reach / MathF.Sin(fov / 2);
                return OrbitView(center, distance, AzimuthDegrees, OrbitElevationDegrees, fov);
        }
    }

    /// <summary>The eye on a sphere around <paramref name="center"/>, looking at it, z up.</summary>
    public static CameraView OrbitView(Vector3 center, float distance, float azimuthDegrees, float elevationDegrees, float fov)
    {
        (float sinA, float cosA) = MathF.SinCos(azimuthDegrees * MathF.PI / 180);
        (float sinE, float cosE) = MathF.SinCos(elevationDegrees * MathF.PI / 180);
        Vector3 eye = center + (distance * new Vector3(cosA * cosE, sinA * cosE, sinE));
        return new CameraView(eye, center, Vector3.UnitZ, Orthographic: false, 0, fov, Near: distance / 1000,
            Far: distance * 4);
    }
}
