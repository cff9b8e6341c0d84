namespace Nabla.Ops;

/// <summary>
/// The special functions the language has and .NET lacks, to full double accuracy: erf and erfc (a series of positive terms below 1, the
/// continued fraction of erfc above: Abramowitz and Stegun 7.1.6 and 7.1.14), log1p and expm1 without the
/// cancellation of log(1+x) and exp(x)-1 near 0 (Goldberg 1991, Theorem 4; Kahan), and gelu in its erf form.
/// One copy each: the evaluator, the compiled plans, generated C# and the GLM's normal tail call these.
/// </summary>
public static class Special
{
    private static readonly double TwoOverSqrtPi = 2 / Math.Sqrt(Math.PI);

    /// <summary>Below this |x| the series; above it the continued fraction of erfc (215 terms at most, at x = 1).</summary>
    private const double SeriesLimit = 1.0;

    /// <summary>The error function erf(x) = 2/√π ∫₀ˣ exp(-t²) dt, to an ulp or two.</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        double ax = Math.Abs(x);
        if (ax < SeriesLimit) return Math.CopySign(Series(ax), x);
        return Math.CopySign(1 - ErfcTail(ax), x);
    }

    /// <summary>erfc(x) = 1 - erf(x), to a few ulps also where it is tiny (large positive x).</summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x >= SeriesLimit) return ErfcTail(x);
        if (x > -SeriesLimit) return 1 - Math.CopySign(Series(Math.Abs(x)), x);
        return 2 - ErfcTail(-x);
    }

    /// <summary>
    /// erf(x) for 0 ≤ x &lt; 1 by the series of positive terms 2/√π exp(-x²) Σ 2^k x^(2k+1) / (1·3·…·(2k+1))
    /// (Abramowitz and Stegun 7.1.6): no cancellation, so the relative error stays at an ulp or two.
    /// </summary>
    private static double Series(double x)
    {
        double term = x, sum = x, x2 = x * x;
        for (int k = 1; k < 100 && term > 1e-17 * sum; k++)
        {
            term *= 2 * x2 / (2 * k + 1);
            sum += term;
        }
        return TwoOverSqrtPi * ExpMinusSquare(x) * sum;
    }

    /// <summary>erfc(x) for x ≥ 1: exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) (A&amp;S 7.1.14), by Lentz's method.</summary>
    private static double ErfcTail(double x)
    {
        if (x > 27.3) return 0; // below the smallest double
        const double tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int k = 1; k < 1000; k++)
        {
            double a = k / 2.0;
            d = x + a * d;
            d = Math.Abs(d) < tiny ? tiny : d;
            c = x + a / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        return ExpMinusSquare(x) / Math.Sqrt(Math.PI) / f;
    }

    /// <summary>
    /// exp(-x²) without the error of rounding x² (which exp multiplies by x², 7e-14 at x = 26): x = h + l with h on a
    /// 2⁻¹⁶ grid, so h² is exact and x² - h² = (x - h)(x + h) is accurate.
    /// </summary>
    private static double ExpMinusSquare(double x)
    {
        double h = Math.Round(x * 65536) / 65536;
        return Math.Exp(-h * h) * Math.Exp(-(x - h) * (x + h));
    }

    /// <summary>log(1 + x), exact near 0: with u = 1 + x rounded, log(u)·x/(u - 1) (Goldberg's correction).</summary>
    public static double Log1p(double x)
    {
        double u = 1 + x;
        if (u == 1) return x;
        if (double.IsPositiveInfinity(u) || u <= 0) return Math.Log(u);
        return Math.Log(u) * x / (u - 1);
    }

    /// <summary>exp(x) - 1, exact near 0: with u = exp(x) rounded, (u - 1)·x/log(u) (Kahan's correction).</summary>
    public static double Expm1(double x)
    {
        if (Math.Abs(x) < 1e-5) return x + x * x / 2 + x * x * x / 6;
        double u = Math.Exp(x);
        if (u == 1) return x;
        double um1 = u - 1;
        if (um1 == -1 || double.IsPositiveInfinity(u)) return um1;
        return um1 * x / Math.Log(u);
    }

    /// <summary>The standard normal distribution function Φ(x) = erfc(-x/√2)/2 (accurate in the lower tail too).</summary>
    public static double NormalCdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    /// <summary>gelu(x) = x·Φ(x), the erf form (Hendrycks and Gimpel 2016).</summary>
    public static double Gelu(double x) => x * NormalCdf(x);
}
