using Perception.Datasets.Geometry;

namespace Perception.Datasets.Simulation;

/// <summary>
/// The sensor car's path along the right-hand lane: x grows with the distance driven, y wanders up to a quarter
/// metre either way as a driver keeps the lane, the heading follows that wander, and the body pitches and rolls by
/// a few tenths of a degree. At distance 0 every term is zero, so the first pose is the identity and the world
/// frame is the first scan's sensor frame.
/// </summary>
internal sealed class EgoRoute
{
    /// <summary>Metres per second: 36 km/h, one metre per scan at the HDL-64E's 10 Hz.</summary>
    public const double Speed = 10.0;

    private readonly GroundModel ground;
    private readonly double mountHeight;
    private readonly double sway;
    private readonly double swayWavelength;
    private readonly double driftWavelength;
    private readonly double pitch;
    private readonly double pitchWavelength;
    private readonly double roll;
    private readonly double rollWavelength;

    public EgoRoute(DeterministicRandom random, GroundModel ground, double mountHeight)
    {
        this.ground = ground;
        this.mountHeight = mountHeight;
        sway = random.Uniform(0.05, 0.12);
        swayWavelength = random.Uniform(60, 120);
        driftWavelength = random.Uniform(150, 300);
        pitch = random.Uniform(0.002, 0.005);
        pitchWavelength = random.Uniform(40, 90);
        roll = random.Uniform(0.001, 0.004);
        rollWavelength = random.Uniform(30, 70);
    }

    /// <summary>Lateral position after driving <paramref name="distance"/> metres.</summary>
    public double Y(double distance) =>
        sway * (Math.Cos(2 * Math.PI * distance / driftWavelength) - Math.Cos(2 * Math.PI * distance / swayWavelength));

    /// <summary>Heading (radians about z) after driving <paramref name="distance"/> metres: along the path.</summary>
    public double Yaw(double distance)
    {
        double ks = 2 * Math.PI / swayWavelength, kd = 2 * Math.PI / driftWavelength;
        return Math.Atan(sway * ((ks * Math.Sin(ks * distance)) - (kd * Math.Sin(kd * distance))));
    }

    /// <summary>The sensor pose (sensor frame → world frame) after <paramref name="distance"/> metres.</summary>
    public RigidTransform Pose(double distance)
    {
        double x = distance, y = Y(distance);
        return RigidTransform.FromYawPitchRoll(Yaw(distance),
            pitch * Math.Sin(2 * Math.PI * distance / pitchWavelength),
            roll * Math.Sin(2 * Math.PI * distance / rollWavelength),
            x, y, ground.BaseHeight(x, y) + mountHeight);
    }
}
