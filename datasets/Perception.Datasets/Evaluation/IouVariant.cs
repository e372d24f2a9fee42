namespace Perception.Datasets.Evaluation;

/// <summary>How per-class IoU and its mean are computed from the confusion matrix.</summary>
public enum IouVariant
{
    /// <summary>
    /// semantic-kitti-api evaluate_semantics.py / np_ioueval.py: ground-truth points of ignored classes are dropped,
    /// IoU = TP / (TP + FP + FN + 1e-15), so a class absent from both ground truth and prediction scores 0; the mean
    /// runs over the non-ignored classes; accuracy = ΣTP / (ΣTP + ΣFP over non-ignored classes).
    /// </summary>
    Official,

    /// <summary>
    /// spvnas core/callbacks.py MeanIoU: ground-truth points of ignored classes are dropped, IoU = TP / (TP + FP + FN)
    /// without epsilon, and a class with no ground-truth point scores 1 whatever was predicted; accuracy (which
    /// spvnas does not report) is ΣTP / Σ evaluated points.
    /// </summary>
    Spvnas,
}
