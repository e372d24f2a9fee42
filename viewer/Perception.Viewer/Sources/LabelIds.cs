using Perception.Datasets.SemanticKitti;

namespace Perception.Viewer.Sources;

/// <summary>What the integers of a PointCloud2 <c>label</c> field mean.</summary>
public enum LabelIds
{
    /// <summary>Official classes when every value is 0..19 (what <c>perception ros2 segment</c> publishes), raw ids
    /// as soon as one value is larger or has instance bits.</summary>
    Auto,

    /// <summary>SemanticKITTI raw label ids as in .label files: low 16 bits the semantic id (10 car, 40 road, ...),
    /// high 16 bits the instance.</summary>
    Raw,

    /// <summary>Official SemanticKITTI classes: 0 unlabeled, 1 car ... 19 traffic-sign.</summary>
    Class,
}

/// <summary>Turns label values into official SemanticKITTI classes 0..19, the ids the viewer colours by.</summary>
public static class LabelClasses
{
    private const int LastClass = KittiLearningMap.ClassCount;

    /// <summary>The convention <see cref="LabelIds.Auto"/> settles on for these values.</summary>
    public static LabelIds Resolve(ReadOnlySpan<uint> labels, LabelIds ids)
    {
        if (ids != LabelIds.Auto)
        {
            return ids;
        }

        foreach (uint label in labels)
        {
            if (label > LastClass)
            {
                return LabelIds.Raw;
            }
        }

        return LabelIds.Class;
    }

    /// <exception cref="SceneInputException">A value is not an id of the convention (the message names the point).
    /// </exception>
    public static int[] ToClasses(string source, ReadOnlySpan<uint> labels, LabelIds ids)
    {
        var classes = new int[labels.Length];
        if (Resolve(labels, ids) == LabelIds.Raw)
        {
            try
            {
                KittiLearningMap.Official.ToClasses(labels, classes);
            }
            catch (ArgumentException e)
            {
                throw new SceneInputException(source, $"the label field is read as SemanticKITTI raw ids: {e.Message}", e);
            }

            return classes;
        }

        for (int p = 0; p < labels.Length; p++)
        {
            classes[p] = labels[p] <= LastClass ? (int)labels[p] : throw new SceneInputException(source,
                $"point {p} has label {labels[p]}, not an official class 0..{LastClass}; if the field holds "
                + "SemanticKITTI raw ids, say so (--label-ids raw)");
        }

        return classes;
    }
}
