namespace Perception.Viewer.Scenes;

/// <summary>How points are coloured.</summary>
public enum PointColoring
{
    /// <summary>By class when the input has labels, else by intensity when it has one, else by height.</summary>
    Auto,

    /// <summary>SemanticKITTI's palette of the point's official class; needs labels.</summary>
    Class,

    /// <summary>The viridis ramp over the 1st..99th percentile of intensity; needs an intensity channel.</summary>
    Intensity,

    /// <summary>The viridis ramp over the 1st..99th percentile of z.</summary>
    Height,

    /// <summary>Against the ground truth: points the prediction got right grey, wrong red, not scored (unlabeled in the
    /// truth) dark blue; needs labels and predictions (<see cref="ScanComparison"/>).</summary>
    Errors,
}
