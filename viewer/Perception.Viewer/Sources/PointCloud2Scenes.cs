using Perception.Datasets.PointClouds;
using Perception.Ros2.Messages;
using Perception.Ros2.PointClouds;
using Perception.Viewer.Scenes;

namespace Perception.Viewer.Sources;

/// <summary>The points of a <see cref="PointCloud2"/> of any layout (any field order, padding, datatypes): x, y, z, the
/// intensity when the cloud has one of <see cref="PointCloud.IntensityNames"/>, and classes from an integer
/// <c>label</c> field (uint8, uint16 or uint32, see <see cref="LabelIds"/>).</summary>
public static class PointCloud2Scenes
{
    public const string LabelField = "label";

    /// <exception cref="SceneInputException">The layout is inconsistent, x/y/z or finite points are missing, or the
    /// labels are not ids of <paramref name="ids"/>.</exception>
    public static SceneCloud ToSceneCloud(PointCloud2 message, string source, LabelIds ids)
    {
        try
        {
            var reader = new PointCloud2Reader(message);
            bool hasIntensity = reader.FindAny(PointCloud.IntensityNames) is not null;
            float[] xyzi = reader.ReadXyzi(requireIntensity: false);
            int[]? classes = reader.FindField(LabelField) is null ? null
                : LabelClasses.ToClasses(source, reader.ReadUInt32(LabelField), ids);
            return SceneCloud.FromRows(source, xyzi, 4, hasIntensity, classes);
        }
        catch (PointCloud2LayoutException e)
        {
            throw new SceneInputException(source, e.Message, e);
        }
    }
}
