namespace Perception.Datasets.Simulation;

/// <summary>
/// Lays out a procedural street from a seed: a main road along x with parking bays, lane markings, curbs and
/// sidewalks, cross streets, plazas, building rows, street lights and signs, trees, hedges, fences, parked and
/// moving vehicles, bicycles, riders and pedestrians. Sizes follow typical European streets like those of KITTI's
/// Karlsruhe drives; raw labels are SemanticKITTI's.
/// </summary>
public static class UrbanSceneBuilder
{
    /// <summary>
    /// The world of <paramref name="seed"/> around its origin at time 0: what the first scan of a
    /// <see cref="SimulatedDrive"/> with that seed sees.
    /// </summary>
    public static UrbanScene Build(int seed, double mountHeight = 1.73) =>
        new UrbanWorld(seed, mountHeight, 0, 0).SceneAt(0);
}
