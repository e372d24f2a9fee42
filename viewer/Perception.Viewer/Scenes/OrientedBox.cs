using System.Numerics;

namespace Perception.Viewer.Scenes;

/// <summary>
/// A 3D box in the sensor frame, OpenPCDet's layout: centre, size (dx along the heading, dy across, dz up) and
/// heading, the counter-clockwise angle in radians from +x about +z. <paramref name="Label"/> is free text.
/// </summary>
public readonly record struct OrientedBox(Vector3 Center, Vector3 Size, float Heading, string? Label = null)
{
    /// <summary>The 8 corners: bottom face counter-clockwise from the front-left, then the top face in the same order.
    /// </summary>
    public Vector3[] Corners()
    {
        (float sin, float cos) = MathF.SinCos(Heading);
        var forward = new Vector3(cos, sin, 0) * (Size.X / 2);
        var left = new Vector3(-sin, cos, 0) * (Size.Y / 2);
        var up = new Vector3(0, 0, Size.Z / 2);
        Vector3[] bottom = [Center + forward + left, Center - forward + left, Center - forward - left, Center + forward - left];
        return [.. bottom.Select(c => c - up), .. bottom.Select(c => c + up)];
    }
}
