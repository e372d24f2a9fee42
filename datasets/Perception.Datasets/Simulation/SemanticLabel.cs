namespace Perception.Datasets.Simulation;

/// <summary>
/// Per-point semantic class. The values are SemanticKITTI's official training ids (semantic-kitti.yaml
/// learning_map: the 19 evaluated classes are 1..19 and 0 is unlabeled), so a label minus one indexes the logits
/// of a SemanticKITTI model directly. The simulator's raw ids map here through
/// <see cref="SemanticKitti.KittiLearningMap.Official"/>.
/// </summary>
public enum SemanticLabel : byte
{
    Unlabeled = 0,
    Car = 1,
    Bicycle = 2,
    Motorcycle = 3,
    Truck = 4,
    OtherVehicle = 5,
    Person = 6,
    Bicyclist = 7,
    Motorcyclist = 8,
    Road = 9,
    Parking = 10,
    Sidewalk = 11,
    OtherGround = 12,
    Building = 13,
    Fence = 14,
    Vegetation = 15,
    Trunk = 16,
    Terrain = 17,
    Pole = 18,
    TrafficSign = 19,
}
