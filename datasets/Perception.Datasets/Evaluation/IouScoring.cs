namespace Perception.Datasets.Evaluation;

/// <summary>The two scoring rules of <see cref="IouVariant"/>, applied to a confusion matrix.</summary>
internal static class IouScoring
{
    /// <summary>np_ioueval.py's epsilon in the IoU and accuracy denominators.</summary>
    private const double Epsilon = 1e-15;

    /// <param name="classes">The matrix's classes.</param>
    /// <param name="cells">Count × Count, row = prediction, column = ground truth.</param>
    /// <param name="scans">Scans counted.</param>
    /// <param name="variant">The rule.</param>
    public static IouReport Score(EvaluationClasses classes, long[] cells, long scans, IouVariant variant)
    {
        int count = classes.Count;

        // Both rules drop ground truth of ignored classes: np_ioueval zeroes those columns, spvnas filters the
        // points. A prediction of an ignored class on a labelled point stays: it is that point's false negative.
        var tp = new long[count];
        var predicted = new long[count]; // row sums: TP + FP
        var actual = new long[count];    // column sums: TP + FN
        for (int row = 0; row < count; row++)
        {
            for (int column = 0; column < count; column++)
            {
                long n = classes.IsIgnored(column) ? 0 : cells[(row * count) + column];
                predicted[row] += n;
                actual[column] += n;
                tp[row] += row == column ? n : 0;
            }
        }

        var scores = new List<ClassIou>();
        long tpSum = 0, fpSum = 0, evaluated = 0;
        double iouSum = 0;
        for (int c = 0; c < count; c++)
        {
            if (classes.IsIgnored(c))
            {
                continue;
            }

            long fp = predicted[c] - tp[c];
            long fn = actual[c] - tp[c];
            double iou = variant == IouVariant.Spvnas
                ? actual[c] == 0 ? 1 : tp[c] / (double)(tp[c] + fp + fn)
                : tp[c] / ((tp[c] + fp + fn) + Epsilon);
            scores.Add(new ClassIou(classes.ClassIndex(c), classes.Name(c), iou, tp[c], fp, fn));
            iouSum += iou;
            tpSum += tp[c];
            fpSum += fp;
            evaluated += actual[c];
        }

        // Official: ΣTP / (ΣTP + ΣFP over included classes) + eps, so labelled points predicted as an ignored class
        // are in neither term. spvnas reports no accuracy; ours is the share of evaluated points predicted right.
        double accuracy = variant == IouVariant.Spvnas
            ? evaluated == 0 ? 0 : tpSum / (double)evaluated
            : tpSum / ((tpSum + fpSum) + Epsilon);
        double meanIou = scores.Count == 0 ? 0 : iouSum / scores.Count;
        return new IouReport(variant, scores, meanIou, accuracy, scans, evaluated);
    }
}
