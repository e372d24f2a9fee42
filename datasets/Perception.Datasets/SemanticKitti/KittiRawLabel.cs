namespace Perception.Datasets.SemanticKitti;

/// <summary>
/// SemanticKITTI's raw semantic ids (semantic-kitti.yaml <c>labels</c>): the low 16 bits of a .label value. The
/// learning map merges several into one evaluated class (lane-marking into road, bus and on-rails into
/// other-vehicle, each moving-* id into its static class).
/// </summary>
public enum KittiRawLabel : ushort
{
    Unlabeled = 0,
    Outlier = 1,
    Car = 10,
    Bicycle = 11,
    Bus = 13,
    Motorcycle = 15,
    OnRails = 16,
    Truck = 18,
    OtherVehicle = 20,
    Person = 30,
    Bicyclist = 31,
    Motorcyclist = 32,
    Road = 40,
    Parking = 44,
    Sidewalk = 48,
    OtherGround = 49,
    Building = 50,
    Fence = 51,
    OtherStructure = 52,
    LaneMarking = 60,
    Vegetation = 70,
    Trunk = 71,
    Terrain = 72,
    Pole = 80,
    TrafficSign = 81,
    OtherObject = 99,
    MovingCar = 252,
    MovingBicyclist = 253,
    MovingPerson = 254,
    MovingMotorcyclist = 255,
    MovingOnRails = 256,
    MovingBus = 257,
    MovingTruck = 258,
    MovingOtherVehicle = 259,
}
