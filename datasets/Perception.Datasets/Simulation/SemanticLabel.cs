namespace Perception.Datasets.Simulation;

/// <summary>
/// Per-point semantic class. The values are SemanticKITTI's training ids (the 19 evaluated classes are 1..19 and
/// 0 is unlabeled), so a label minus one indexes the logits of a SemanticKITTI model directly. The simulator
/// produces the subset below.
/// </summary>
public enum SemanticLabel : byte
{
    Unlabeled = 0,
    Car = 1,
    Person = 6,
    Road = 9,
    Sidewalk = 11,
    Building = 13,
    Vegetation = 15,
    Trunk = 16,
    Terrain = 17,
    Pole = 18,
    TrafficSign = 19,
}
