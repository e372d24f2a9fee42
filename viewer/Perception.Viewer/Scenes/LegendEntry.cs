namespace Perception.Viewer.Scenes;

/// <summary>One class present in a class-coloured scene: official SemanticKITTI id, name, colour, point count.</summary>
public sealed record LegendEntry(int ClassId, string Name, Rgb Color, int Points);
