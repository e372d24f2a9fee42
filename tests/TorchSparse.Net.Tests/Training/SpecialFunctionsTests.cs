using TorchSparse.Training;

namespace TorchSparse.Tests.Training;

/// <summary>ln Γ and ψ against closed forms (Γ(n) = (n-1)!, Γ(½) = √π, ψ(1) = -γ, ψ(½) = -γ - 2 ln 2, and
/// ψ(n) = -γ + Σ 1/k); the fixtures cover them further against torch.lgamma's autograd.</summary>
public sealed class SpecialFunctionsTests
{
    private const double EulerGamma = 0.57721566490153286061;

    [Theory]
    [InlineData(1.0, 0.0)]
    [InlineData(2.0, 0.0)]
    [InlineData(0.5, 0.57236494292470008707)]   // ln √π
    [InlineData(1.5, -0.12078223763524522234)]  // ln(√π / 2)
    [InlineData(10.0, 12.801827480081469611)]   // ln 9!
    [InlineData(171.0, 706.57306224578734)]     // ln 170!
    [InlineData(1e-8, 18.420680738180208)]      // ≈ -ln x - γ x
    public void LogGamma_matches_closed_forms(double x, double expected) =>
        // Absolute 4e-15 below 1: between the roots at 1 and 2 the recurrence's sum of logs (about 13) cancels
        // against the series, so a value of 0.12 carries the rounding of the 13.
        Assert.True(Math.Abs(SpecialFunctions.LogGamma(x) - expected) <= 4e-15 * Math.Max(1, Math.Abs(expected)),
            $"lnΓ({x}) = {SpecialFunctions.LogGamma(x):R}, want {expected:R}");

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(2.0)]
    [InlineData(7.0)]
    [InlineData(30.0)]
    public void Digamma_matches_closed_forms(double x)
    {
        double expected = x == 0.5
            ? -EulerGamma - (2 * Math.Log(2))
            : -EulerGamma + Enumerable.Range(1, (int)x - 1).Sum(k => 1.0 / k);
        Assert.True(Math.Abs(SpecialFunctions.Digamma(x) - expected) <= 4e-15 * Math.Max(1, Math.Abs(expected)),
            $"ψ({x}) = {SpecialFunctions.Digamma(x):R}, want {expected:R}");
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(3.7)]
    [InlineData(42.5)]
    public void Digamma_is_the_derivative_of_log_gamma(double x)
    {
        double h = 1e-5 * x;
        double numeric = (SpecialFunctions.LogGamma(x + h) - SpecialFunctions.LogGamma(x - h)) / (2 * h);
        Assert.Equal(numeric, SpecialFunctions.Digamma(x), 8);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void Non_positive_arguments_give_nan(double x)
    {
        Assert.True(double.IsNaN(SpecialFunctions.LogGamma(x)));
        Assert.True(double.IsNaN(SpecialFunctions.Digamma(x)));
    }
}
