namespace TorchSparse.Training;

/// <summary>
/// ln Γ and digamma for positive arguments in float64. .NET has neither; the evidential loss needs both. Both shift
/// the argument up by recurrence until the asymptotic (Stirling) series converges to double precision, then
/// undo the shift.
/// </summary>
internal static class SpecialFunctions
{
    // From 10 up, the first term each series below leaves out is under 1e-15 (absolute), near double rounding.
    private const double AsymptoticFrom = 10.0;

    private static readonly double HalfLogTwoPi = 0.5 * Math.Log(2.0 * Math.PI);

    /// <summary>ln Γ(x) for x &gt; 0.</summary>
    public static double LogGamma(double x)
    {
        if (!(x > 0))
        {
            return double.NaN;
        }

        // ln Γ(x) = ln Γ(x + k) - Σ ln(x + i): a sum of logs rather than a log of a product, so tiny x cannot
        // underflow the product.
        double shift = 0;
        while (x < AsymptoticFrom)
        {
            shift += Math.Log(x);
            x += 1;
        }

        double inv = 1.0 / x;
        double inv2 = inv * inv;

        // Σ B_2k / (2k (2k - 1) x^(2k-1)) for k = 1..6 (Bernoulli numbers 1/6, -1/30, 1/42, -1/30, 5/66, -691/2730).
        double series = inv * ((1.0 / 12) + (inv2 * ((-1.0 / 360) + (inv2 * ((1.0 / 1260) + (inv2 * ((-1.0 / 1680)
            + (inv2 * ((1.0 / 1188) + (inv2 * (-691.0 / 360360)))))))))));
        return ((x - 0.5) * Math.Log(x)) - x + HalfLogTwoPi + series - shift;
    }

    /// <summary>ψ(x) = d ln Γ(x) / dx for x &gt; 0.</summary>
    public static double Digamma(double x)
    {
        if (!(x > 0))
        {
            return double.NaN;
        }

        // ψ(x) = ψ(x + 1) - 1/x.
        double shift = 0;
        while (x < AsymptoticFrom)
        {
            shift += 1.0 / x;
            x += 1;
        }

        double inv2 = 1.0 / (x * x);

        // ln x - 1/(2x) - Σ B_2k / (2k x^2k) for k = 1..6.
        double series = inv2 * ((1.0 / 12) - (inv2 * ((1.0 / 120) - (inv2 * ((1.0 / 252) - (inv2 * ((1.0 / 240)
            - (inv2 * ((1.0 / 132) - (inv2 * (691.0 / 32760)))))))))));
        return Math.Log(x) - (0.5 / x) - series - shift;
    }
}
