namespace Perception.Datasets.SemanticKitti;

/// <summary>
/// An affine transform as KITTI stores poses and calibration: a row-major 3×4 matrix <c>[A | t]</c>, implicitly
/// padded with the row <c>(0, 0, 0, 1)</c> to 4×4. Immutable; double precision, because poses accumulate over
/// kilometres of driving.
/// </summary>
public sealed class KittiTransform
{
    private readonly double[] values; // row-major 3x4

    /// <summary>A transform from 12 values, row-major 3×4.</summary>
    /// <exception cref="ArgumentException">Not exactly 12 values.</exception>
    public KittiTransform(ReadOnlySpan<double> rowMajor3x4)
    {
        if (rowMajor3x4.Length != 12)
        {
            throw new ArgumentException($"A KITTI transform has 12 values (3x4), got {rowMajor3x4.Length}.",
                nameof(rowMajor3x4));
        }

        values = rowMajor3x4.ToArray();
    }

    /// <summary>The identity.</summary>
    public static KittiTransform Identity { get; } = new([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);

    /// <summary>Element of the padded 4×4 matrix; row 3 is (0, 0, 0, 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Row or column outside 0..3.</exception>
    public double this[int row, int column]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)row, 3u, nameof(row));
            ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)column, 3u, nameof(column));
            return row < 3 ? values[(row * 4) + column] : column == 3 ? 1 : 0;
        }
    }

    /// <summary>The 12 stored values, row-major 3×4 (a copy).</summary>
    public double[] ToArray() => (double[])values.Clone();

    /// <summary>The matrix product <c>left · right</c> (apply <paramref name="right"/> first).</summary>
    public static KittiTransform operator *(KittiTransform left, KittiTransform right)
    {
        Span<double> product = stackalloc double[12];
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                double sum = c == 3 ? left[r, 3] : 0; // the implicit (0, 0, 0, 1) row of right
                for (int k = 0; k < 3; k++)
                {
                    sum += left[r, k] * right[k, c];
                }

                product[(r * 4) + c] = sum;
            }
        }

        return new KittiTransform(product);
    }

    /// <summary>The inverse <c>[A⁻¹ | −A⁻¹t]</c>; A need not be a rotation.</summary>
    /// <exception cref="InvalidOperationException">A is singular.</exception>
    public KittiTransform Inverse()
    {
        double a = this[0, 0], b = this[0, 1], c = this[0, 2];
        double d = this[1, 0], e = this[1, 1], f = this[1, 2];
        double g = this[2, 0], h = this[2, 1], i = this[2, 2];
        double cofactor0 = (e * i) - (f * h), cofactor1 = (f * g) - (d * i), cofactor2 = (d * h) - (e * g);
        double determinant = (a * cofactor0) + (b * cofactor1) + (c * cofactor2);
        if (determinant == 0 || !double.IsFinite(determinant))
        {
            throw new InvalidOperationException("The 3x3 part of the transform is singular; it has no inverse.");
        }

        double s = 1 / determinant;
        double[] inverse =
        [
            cofactor0 * s, ((c * h) - (b * i)) * s, ((b * f) - (c * e)) * s, 0,
            cofactor1 * s, ((a * i) - (c * g)) * s, ((c * d) - (a * f)) * s, 0,
            cofactor2 * s, ((b * g) - (a * h)) * s, ((a * e) - (b * d)) * s, 0,
        ];
        for (int r = 0; r < 3; r++)
        {
            int row = r * 4;
            inverse[row + 3] = -((inverse[row] * this[0, 3]) + (inverse[row + 1] * this[1, 3]) +
                (inverse[row + 2] * this[2, 3]));
        }

        return new KittiTransform(inverse);
    }

    /// <summary>Applies the transform to a point.</summary>
    public (double X, double Y, double Z) Apply(double x, double y, double z) =>
        ((values[0] * x) + (values[1] * y) + (values[2] * z) + values[3],
            (values[4] * x) + (values[5] * y) + (values[6] * z) + values[7],
            (values[8] * x) + (values[9] * y) + (values[10] * z) + values[11]);
}
