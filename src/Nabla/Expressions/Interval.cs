namespace Nabla.Expressions;

/// <summary>
/// An interval of real values with open or closed ends: what the sign analysis knows of a scalar expression, or of every
/// entry of an element-wise one (sigmoid(u) ∈ (0, 1), exp(u) ∈ (0, ∞), x.^2 ∈ [0, ∞)).
/// </summary>
public readonly record struct Interval(double Lo, double Hi, bool LoOpen = false, bool HiOpen = false)
{
    /// <summary>Every real value, (-∞, ∞).</summary>
    public static readonly Interval All = new(double.NegativeInfinity, double.PositiveInfinity, true, true);
    /// <summary>[0, ∞).</summary>
    public static readonly Interval NonNegative = new(0, double.PositiveInfinity, false, true);
    /// <summary>(0, ∞).</summary>
    public static readonly Interval Positive = new(0, double.PositiveInfinity, true, true);

    /// <summary>Whether every value is at least 0.</summary>
    public bool IsNonNegative => Lo >= 0;
    /// <summary>Whether every value is greater than 0.</summary>
    public bool IsPositive => Lo > 0 || (Lo == 0 && LoOpen);
    /// <summary>Whether every value is at most 0.</summary>
    public bool IsNonPositive => Hi <= 0;
    /// <summary>Whether every value is less than 0.</summary>
    public bool IsNegative => Hi < 0 || (Hi == 0 && HiOpen);

    /// <summary>The interval of the negated values.</summary>
    public Interval Negate() => new(-Hi, -Lo, HiOpen, LoOpen);

    /// <summary>The image under a strictly increasing f: the ends mapped, open where open or infinite (a limit, not attained).</summary>
    public static Interval Increasing(Func<double, double> f, Interval a)
    {
        var r = new Interval(f(a.Lo), f(a.Hi), a.LoOpen || double.IsInfinity(a.Lo), a.HiOpen || double.IsInfinity(a.Hi));
        return double.IsNaN(r.Lo) || double.IsNaN(r.Hi) ? All : r;
    }

    /// <summary>The smallest interval holding both.</summary>
    public Interval Hull(Interval b) => new(Math.Min(Lo, b.Lo), Math.Max(Hi, b.Hi),
        Lo < b.Lo ? LoOpen : b.Lo < Lo ? b.LoOpen : LoOpen && b.LoOpen,
        Hi > b.Hi ? HiOpen : b.Hi > Hi ? b.HiOpen : HiOpen && b.HiOpen);

    /// <summary>The interval of the sums: the ends added, open where either is.</summary>
    public static Interval operator +(Interval a, Interval b) => new(a.Lo + b.Lo, a.Hi + b.Hi, a.LoOpen || b.LoOpen, a.HiOpen || b.HiOpen);

    /// <summary>The interval of the products, with the ends' openness kept where the signs allow (the corners, closed, for mixed signs).</summary>
    public static Interval operator *(Interval a, Interval b)
    {
        if (a.IsNonNegative && b.IsNonNegative)
        {
            // the lower end is attained when both are, or when either factor can be exactly 0
            bool loOpen = (a.LoOpen || b.LoOpen) && !(a.Lo == 0 && !a.LoOpen) && !(b.Lo == 0 && !b.LoOpen);
            bool hiOpen = (a.HiOpen || b.HiOpen) && !(a.Hi == 0 && !a.HiOpen) && !(b.Hi == 0 && !b.HiOpen);
            var r = new Interval(a.Lo * b.Lo, a.Hi * b.Hi, loOpen, hiOpen);
            return double.IsNaN(r.Hi) || double.IsNaN(r.Lo) ? NonNegative : r;
        }
        if (a.IsNonPositive && b.IsNonPositive) return (a.Negate() * b.Negate());
        if (a.IsNonNegative && b.IsNonPositive) return (a * b.Negate()).Negate();
        if (a.IsNonPositive && b.IsNonNegative) return (a.Negate() * b).Negate();
        // mixed signs: the corners, closed
        double[] c = [a.Lo * b.Lo, a.Lo * b.Hi, a.Hi * b.Lo, a.Hi * b.Hi];
        if (c.Any(double.IsNaN)) return All;
        return new(c.Min(), c.Max());
    }

    /// <summary>The interval in mathematical notation, such as (0, ∞) or [-1, 1].</summary>
    public override string ToString()
    {
        static string F(double v) => double.IsPositiveInfinity(v) ? "∞" : double.IsNegativeInfinity(v) ? "-∞" : v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture);
        return $"{(LoOpen ? "(" : "[")}{F(Lo)}, {F(Hi)}{(HiOpen ? ")" : "]")}";
    }
}
