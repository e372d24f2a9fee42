using System.Numerics;

namespace Perception.Viewer.Cameras;

/// <summary>
/// Where the camera is and what it sees, in the sensor frame (z up). Orthographic views show
/// <see cref="HalfHeight"/> metres above and below the target's image centre; perspective ones a vertical field of
/// view of <see cref="FieldOfView"/> radians.
/// </summary>
public sealed record CameraView(Vector3 Eye, Vector3 Target, Vector3 Up, bool Orthographic, float HalfHeight,
    float FieldOfView, float Near, float Far)
{
    /// <summary>Clip-space transform for row vectors (System.Numerics order: p * view * projection); GL reads this
    /// row-major matrix as its column-major transpose, which is the same transform for column vectors.</summary>
    public Matrix4x4 ViewProjection(float aspect)
    {
        Matrix4x4 view = Matrix4x4.CreateLookAt(Eye, Target, Up);
        Matrix4x4 projection = Orthographic
            ? Matrix4x4.CreateOrthographic(2 * HalfHeight * aspect, 2 * HalfHeight, Near, Far)
            : Matrix4x4.CreatePerspectiveFieldOfView(FieldOfView, aspect, Near, Far);
        return view * projection;
    }
}
