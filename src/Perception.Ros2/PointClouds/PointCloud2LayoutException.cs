namespace Perception.Ros2.PointClouds;

/// <summary>A PointCloud2's layout does not hold together: a field reaches past point_step, row_step is shorter than
/// a row, the data is shorter than height × row_step, or a field that was asked for is missing or of a wrong type.
/// </summary>
public sealed class PointCloud2LayoutException(string message) : Exception(message);
