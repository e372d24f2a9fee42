namespace Perception.Datasets.Geometry;

/// <summary>
/// A 3×4 transform [R | t] in double precision, as KITTI stores poses and the velodyne→camera <c>Tr</c>: a point p
/// maps to R·p + t. <see cref="Inverse"/> inverts R in full rather than transposing it, so files whose rotations
/// are orthonormal only to their printed digits invert like numpy.linalg.inv on the padded 4×4. The default
/// value is all zeros; start from <see cref="Identity"/>.
/// </summary>
public readonly struct RigidTransform : IEquatable<RigidTransform>
{
    private readonly double r00, r01, r02, t0, r10, r11, r12, t1, r20, r21, r22, t2;

    private RigidTransform(ReadOnlySpan<double> rowMajor)
    {
        (r00, r01, r02, t0) = (rowMajor[0], rowMajor[1], rowMajor[2], rowMajor[3]);
        (r10, r11, r12, t1) = (rowMajor[4], rowMajor[5], rowMajor[6], rowMajor[7]);
        (r20, r21, r22, t2) = (rowMajor[8], rowMajor[9], rowMajor[10], rowMajor[11]);
    }

    public static RigidTransform Identity { get; } = FromRowMajor([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);

    /// <summary>The entry of the 3×4 matrix at (row 0..2, column 0..3); column 3 is the translation.</summary>
    public double this[int row, int column] => (row, column) switch
    {
        (0, 0) => r00, (0, 1) => r01, (0, 2) => r02, (0, 3) => t0,
        (1, 0) => r10, (1, 1) => r11, (1, 2) => r12, (1, 3) => t1,
        (2, 0) => r20, (2, 1) => r21, (2, 2) => r22, (2, 3) => t2,
        _ => throw new ArgumentOutOfRangeException(nameof(row), $"({row}, {column}) is outside a 3×4 matrix."),
    };

    /// <summary>From 12 values, the rows of [R | t] one after another (a KITTI poses.txt line).</summary>
    /// <exception cref="ArgumentException">Not 12 values, or a value is not finite.</exception>
    public static RigidTransform FromRowMajor(ReadOnlySpan<double> values)
    {
        if (values.Length != 12)
        {
            throw new ArgumentException($"A 3×4 transform has 12 values, not {values.Length}.", nameof(values));
        }

        foreach (double v in values)
        {
            if (!double.IsFinite(v))
            {
                throw new ArgumentException($"Transform value {v} is not finite.", nameof(values));
            }
        }

        return new RigidTransform(values);
    }

    /// <summary>A rotation of <paramref name="yaw"/>, <paramref name="pitch"/> and <paramref name="roll"/> radians
    /// (R = Rz(yaw)·Ry(pitch)·Rx(roll)) followed by a translation.</summary>
    public static RigidTransform FromYawPitchRoll(double yaw, double pitch, double roll, double x, double y, double z)
    {
        (double sy, double cy) = Math.SinCos(yaw);
        (double sp, double cp) = Math.SinCos(pitch);
        (double sr, double cr) = Math.SinCos(roll);
        return new RigidTransform(
        [
            cy * cp, (cy * sp * sr) - (sy * cr), (cy * sp * cr) + (sy * sr), x,
            sy * cp, (sy * sp * sr) + (cy * cr), (sy * sp * cr) - (cy * sr), y,
            -sp, cp * sr, cp * cr, z,
        ]);
    }

    /// <summary>The 12 values row by row.</summary>
    public double[] ToRowMajor() => [r00, r01, r02, t0, r10, r11, r12, t1, r20, r21, r22, t2];

    /// <summary>R·p + t.</summary>
    public (double X, double Y, double Z) Apply(double x, double y, double z) =>
        ((r00 * x) + (r01 * y) + (r02 * z) + t0,
         (r10 * x) + (r11 * y) + (r12 * z) + t1,
         (r20 * x) + (r21 * y) + (r22 * z) + t2);

    /// <summary>R·v: a direction, not moved by the translation.</summary>
    public (double X, double Y, double Z) Rotate(double x, double y, double z) =>
        ((r00 * x) + (r01 * y) + (r02 * z), (r10 * x) + (r11 * y) + (r12 * z), (r20 * x) + (r21 * y) + (r22 * z));

    /// <summary>Applies <paramref name="first"/>, then <paramref name="second"/>: the product second·first.</summary>
    public static RigidTransform operator *(RigidTransform second, RigidTransform first)
    {
        double[] a = second.ToRowMajor(), b = first.ToRowMajor();
        var product = new double[12];
        for (int row = 0; row < 3; row++)
        {
            for (int column = 0; column < 4; column++)
            {
                double sum = column == 3 ? a[(row * 4) + 3] : 0;
                for (int k = 0; k < 3; k++)
                {
                    sum += a[(row * 4) + k] * b[(k * 4) + column];
                }

                product[(row * 4) + column] = sum;
            }
        }

        return new RigidTransform(product);
    }

    /// <summary>Same as <c>second * first</c>.</summary>
    public static RigidTransform Multiply(RigidTransform second, RigidTransform first) => second * first;

    /// <summary>The inverse [R⁻¹ | −R⁻¹·t].</summary>
    /// <exception cref="InvalidOperationException">R is singular, or the inverse overflows double precision.
    /// </exception>
    public RigidTransform Inverse()
    {
        // Cofactors of R; the inverse is their transpose over the determinant.
        double c00 = (r11 * r22) - (r12 * r21), c01 = (r12 * r20) - (r10 * r22), c02 = (r10 * r21) - (r11 * r20);
        double determinant = (r00 * c00) + (r01 * c01) + (r02 * c02);
        if (Math.Abs(determinant) < 1e-12)
        {
            throw new InvalidOperationException($"The rotation part is singular (determinant {determinant:G3}).");
        }

        double s = 1 / determinant;
        double i00 = c00 * s, i01 = ((r02 * r21) - (r01 * r22)) * s, i02 = ((r01 * r12) - (r02 * r11)) * s;
        double i10 = c01 * s, i11 = ((r00 * r22) - (r02 * r20)) * s, i12 = ((r02 * r10) - (r00 * r12)) * s;
        double i20 = c02 * s, i21 = ((r01 * r20) - (r00 * r21)) * s, i22 = ((r00 * r11) - (r01 * r10)) * s;
        double[] inverse =
        [
            i00, i01, i02, -((i00 * t0) + (i01 * t1) + (i02 * t2)),
            i10, i11, i12, -((i10 * t0) + (i11 * t1) + (i12 * t2)),
            i20, i21, i22, -((i20 * t0) + (i21 * t1) + (i22 * t2)),
        ];

        // Entries near the ends of the double range overflow: the determinant becomes infinite or NaN (and slips past
        // the test above), or a product with the translation does; either way the inverse would be NaN or zeros.
        if (!Array.TrueForAll(inverse, double.IsFinite))
        {
            throw new InvalidOperationException(
                $"The inverse overflows double precision (determinant {determinant:G3}).");
        }

        return new RigidTransform(inverse);
    }

    /// <summary>Largest |entry| of RᵀR − I: 0 for an exact rotation, about 1e-7 for one printed to 7 digits.</summary>
    public double OrthonormalityError()
    {
        double[] m = ToRowMajor();
        double worst = 0;
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                double dot = (m[i] * m[j]) + (m[4 + i] * m[4 + j]) + (m[8 + i] * m[8 + j]);
                worst = Math.Max(worst, Math.Abs(dot - (i == j ? 1 : 0)));
            }
        }

        return worst;
    }

    public bool Equals(RigidTransform other) => ToRowMajor().AsSpan().SequenceEqual(other.ToRowMajor());

    public override bool Equals(object? obj) => obj is RigidTransform other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (double v in ToRowMajor())
        {
            hash.Add(v);
        }

        return hash.ToHashCode();
    }

    public static bool operator ==(RigidTransform left, RigidTransform right) => left.Equals(right);

    public static bool operator !=(RigidTransform left, RigidTransform right) => !left.Equals(right);

    public override string ToString() => string.Join(' ', ToRowMajor().Select(v => v.ToString("G6")));
}
