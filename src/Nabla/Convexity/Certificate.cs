using Nabla.Expressions;
using Nabla.Ops;
using Nabla.Printing;

namespace Nabla.Convexity;

/// <summary>What the rules proved of a symmetric matrix (or a scalar): positive definite, semi-definite, zero, or nothing.</summary>
public enum Definiteness
{
    /// <summary>Nothing was proved.</summary>
    Unknown,
    /// <summary>Zero.</summary>
    Zero,
    /// <summary>Positive semi-definite (a scalar: non-negative).</summary>
    SemiDefinite,
    /// <summary>Positive definite (a scalar: positive).</summary>
    Definite,
}

/// <summary>
/// The rules that certify a Hessian positive semi-definite, applied to its expression: sums of PSD terms,
/// non-negative scalar factors, Gram products A'*A and congruences A'*P*A with P PSD, diag(v) with v ≥ 0, the
/// identity, Hadamard and Kronecker products of PSD factors; scalars by a range analysis of the functions' ranges
/// (the op registry's facts: sigmoid ∈ (0, 1), exp > 0, …) and of the variables' domains. Each rule that fires
/// leaves a step in the seed's words.
/// </summary>
public sealed class Certificate(IReadOnlySet<string> positive)
{
    /// <summary>The steps of the certificate, one for each rule that fired, in order.</summary>
    public List<string> Steps { get; } = [];

    /// <summary>Variables declared symmetric positive definite (spd) and semi-definite (psd).</summary>
    public IReadOnlySet<string> Spd { get; init; } = new HashSet<string>();
    /// <summary>Variables declared symmetric positive semi-definite (psd).</summary>
    public IReadOnlySet<string> Psd { get; init; } = new HashSet<string>();

    /// <summary>
    /// The direction of a second differential d²f[D, D] being certified, for a matrix variable: a range's "positive"
    /// then means positive for every D ≠ 0 (every term of the form is quadratic in D).
    /// </summary>
    public Var? Direction { get; init; }

    // the reasons the range analysis found for the trace rules, said before the range they justify
    private readonly List<string> _notes = [];

    private static string P(Expr e) => TextPrinter.PrintResult(e);

    private static Expr Prod(IReadOnlyList<Expr> f) => f.Count == 1 ? f[0] : new Mul([.. f]);

    /// <summary>
    /// tr(M1*…*Mk) ≥ 0 where a cyclic rotation splits into two positive semi-definite products P*Q (the trace of a
    /// product of two PSD matrices is ≥ 0): tr(X'*A*X*B) with A, B PSD, tr(inv(S)*D*inv(S)*D) with D symmetric.
    /// For the direction D of a second differential, tr(D'*A*D*B) = norm2(A^½*D*B^½)^2 &gt; 0 for D ≠ 0 where A and
    /// B are definite.
    /// </summary>
    private Interval? TraceOfProduct(Expr arg)
    {
        // a matrix power X^k is k factors X (tr(dX^2) = tr(dX*dX))
        var factors = (arg is Mul m ? m.Factors.ToList() : [arg])
            .SelectMany(f => f is MatPow { A: var b, K: var k and >= 2 and <= 8 } ? Enumerable.Repeat(b, k) : [f]).ToList();
        var scalars = factors.Where(f => f.Shape.IsScalar).ToList();
        var mats = factors.Where(f => !f.Shape.IsScalar).ToList();
        if (mats.Count < 2) return null;
        var scale = scalars.Count == 0 ? new Interval(1, 1) : scalars.Select(RangeOf).Aggregate((a, b) => a * b);
        if (!scale.IsNonNegative && !scale.IsNonPositive) return null;
        int k = mats.Count;
        Interval? best = null;
        string? why = null;
        for (int rot = 0; rot < k; rot++)
        {
            var r = mats.Skip(rot).Concat(mats.Take(rot)).ToList();
            for (int s = 1; s <= k; s++)
            {
                var left = r.Take(s).ToList();
                var right = r.Skip(s).ToList();
                var dl = ClassifyCore(Prod(left), true, 1);
                if (dl == Definiteness.Unknown) continue;
                var dr = right.Count == 0 ? Definiteness.Definite : ClassifyCore(Prod(right), true, 1);
                if (dr == Definiteness.Unknown) continue;
                bool strict = false;
                if (Direction is { } d && left.Count >= 2 && IsDirection(left[0], d) && IsDirection(left[^1], d) && TransposeOf(left[0], left[^1]) && dr == Definiteness.Definite)
                {
                    var mid = left.Skip(1).Take(left.Count - 2).ToList();
                    strict = mid.Count == 0 || ClassifyCore(Prod(mid), true, 1) == Definiteness.Definite;
                }
                string q = right.Count == 0 ? "I" : P(Prod(right));
                string a = left.Count <= 2 ? "I" : P(Prod(left.Skip(1).Take(left.Count - 2).ToList()));
                string reason = strict
                    ? $"tr({P(arg)}) = norm2(A^(1/2)*{Direction!.Name}*Q^(1/2))^2 with A = {a}, Q = {q} positive definite: > 0 for {Direction.Name} ≠ 0"
                    : $"tr({P(arg)}) = tr(P*Q) with P = {P(Prod(left))} and Q = {q} positive semi-definite: ≥ 0 (the trace of a product of two PSD matrices)";
                if (best is null || strict) { best = strict ? Interval.Positive : Interval.NonNegative; why = reason; }
                if (strict) break;
            }
            if (best == Interval.Positive) break;
        }
        if (best is not { } b) return null;
        if (!_notes.Contains(why!)) _notes.Add(why!);
        return b * scale;
    }

    private static bool IsDirection(Expr e, Var d) => e.Equals(d) || e is Transpose { X: var t } && t.Equals(d);

    /// <summary>The range of a scalar expression, or of each entry of an element-wise one.</summary>
    public Interval RangeOf(Expr e)
    {
        switch (e)
        {
            case Num n: return new Interval(n.Value, n.Value);
            case Var v: return positive.Contains(v.Name) ? Interval.Positive : Interval.All;
            case Neg g: return RangeOf(g.X).Negate();
            case Add a: return a.Terms.Select(RangeOf).Aggregate((x, y) => x + y);
            case Transpose t: return RangeOf(t.X);
            case Fill f: return RangeOf(f.Value);
            case Eye: return new Interval(0, 1);
            case Mul m:
            {
                var ranges = m.Factors.Select(RangeOf).ToList();
                int matrices = m.Factors.Count(f => !f.Shape.IsScalar);
                if (matrices <= 1) return ranges.Aggregate((x, y) => x * y);
                // a scalar quadratic form a'*P*a (or a'*a) with P PSD: non-negative
                if (m.Shape.IsScalar && m.Factors.All(f => !f.Shape.IsScalar) && Congruence([.. m.Factors], true, +1) != Definiteness.Unknown)
                    return Interval.NonNegative;
                // a matrix product: entries are sums of products, non-negative when every factor's entries are
                return ranges.All(r => r.IsNonNegative) ? Interval.NonNegative : Interval.All;
            }
            case Elementwise w:
            {
                var l = RangeOf(w.Left);
                var r = RangeOf(w.Right);
                return w.Op == ElementwiseOp.Mul ? l * r : Divide(l, r);
            }
            case Div d: return Divide(RangeOf(d.X), RangeOf(d.Divisor));
            case Power p when p.Exponent is Num k:
            {
                var b = RangeOf(p.Base);
                double kk = k.Value;
                bool even = kk == Math.Floor(kk) && ((long)kk) % 2 == 0;
                // a negative power is defined only where the base is not 0
                if (kk < 0 && even) return Interval.Positive;
                if (kk < 0 && b.IsNonNegative) return Interval.Positive;
                if (kk < 0 && b.IsNonPositive && kk == Math.Floor(kk)) return Interval.Positive.Negate();
                if (even) return b.IsPositive || b.IsNegative ? Interval.Positive : Interval.NonNegative;
                if (b.IsPositive) return Interval.Positive;
                if (b.IsNonNegative && kk > 0) return Interval.NonNegative;
                if (b.IsNonNegative && kk < 0) return Interval.Positive; // defined only where the base is not 0
                return Interval.All;
            }
            case Call c: return CallRange(c);
            default: return Interval.All;
        }
    }

    private static Interval Divide(Interval a, Interval b)
    {
        // where f is defined its denominators are not 0: a non-negative one is positive there
        if (b.IsNonNegative && !b.IsPositive) b = b with { LoOpen = true };
        if (b.IsNonPositive && !b.IsNegative) b = b with { HiOpen = true };
        if (b.IsPositive) return a.IsNonNegative ? (a.IsPositive ? Interval.Positive : Interval.NonNegative) : a.IsNonPositive ? (a.IsNegative ? Interval.Positive.Negate() : Interval.NonNegative.Negate()) : Interval.All;
        if (b.IsNegative) return Divide(a.Negate(), b.Negate());
        return Interval.All;
    }

    private Interval CallRange(Call c)
    {
        var arg = c.Args.Count == 1 ? c.Arg : null;
        if (arg is null) return Interval.All;
        if (c.Op.Name == "tr")
        {
            // the trace of a PSD matrix, of a product of two, or of a matrix whose entries have one sign
            if (TraceOfProduct(arg) is { } tr) return tr;
            if (Classify(arg, quiet: true) != Definiteness.Unknown) return Interval.NonNegative;
            var entries = RangeOf(arg);
            return entries.IsNonNegative ? Interval.NonNegative : entries.IsNonPositive ? Interval.NonNegative.Negate() : Interval.All;
        }
        // every other op's sign fact is its registry entry's
        return c.Op.Image(RangeOf(arg));
    }

    /// <summary>What the rules prove of the symmetric matrix (or scalar) <paramref name="h"/>.</summary>
    public Definiteness Classify(Expr h, bool quiet = false) => ClassifyCore(h, quiet, +1);

    /// <summary>What the rules prove of -h: negative (semi-)definiteness of h.</summary>
    public Definiteness ClassifyNegative(Expr h, bool quiet = false) => ClassifyCore(h, quiet, -1);

    private void Say(bool quiet, string step) { if (!quiet) Steps.Add(step); }

    /// <summary>Proves sign·h positive (semi-)definite: sign +1 for convexity, -1 for concavity.</summary>
    private Definiteness ClassifyCore(Expr h, bool quiet, int sign)
    {
        string psd = sign > 0 ? "positive semi-definite" : "negative semi-definite";
        if (h is Num { Value: 0 }) return Definiteness.Zero;
        if (h.Shape.IsScalar)
        {
            _notes.Clear();
            var r = RangeOf(h);
            if (sign < 0) r = r.Negate();
            string shown = sign > 0 ? P(h) : P(Simplify.Simplifier.Simplify(new Neg(h)));
            if (r.IsNonNegative) foreach (var n in _notes) Say(quiet, n);
            if (r.IsPositive) { Say(quiet, $"{shown} ∈ {r}: > 0{(Direction is { } d ? $" for {d.Name} ≠ 0" : "")}"); return Definiteness.Definite; }
            if (r.IsNonNegative) { Say(quiet, $"{shown} ∈ {r}: ≥ 0"); return Definiteness.SemiDefinite; }
            return Definiteness.Unknown;
        }
        switch (h)
        {
            case Eye when sign > 0: return Definiteness.Definite;
            case Var v when sign > 0 && Spd.Contains(v.Name): Say(quiet, $"{v.Name} is declared positive definite"); return Definiteness.Definite;
            case Var v when sign > 0 && Psd.Contains(v.Name): Say(quiet, $"{v.Name} is declared positive semi-definite"); return Definiteness.SemiDefinite;
            case Call { Op.Name: "inv", Args: [Var s] } when sign > 0 && Spd.Contains(s.Name):
                Say(quiet, $"inv({s.Name}) of a positive definite {s.Name} is positive definite"); return Definiteness.Definite;
            case Neg g: return ClassifyCore(g.X, quiet, -sign);
            case Transpose t: return ClassifyCore(t.X, quiet, sign);
            case Add a when sign > 0 && CategoricalCovariance(a) is var (i, j, p):
            {
                // diag(p) - p*p' with p = softmax(u): z'*(diag(p) - p*p')*z = Σ p_k z_k² - (Σ p_k z_k)² ≥ 0, the variance of z under p
                var rest = a.Terms.Where((_, k) => k != i && k != j).ToList();
                var others = rest.Select(t => ClassifyCore(t, true, 1)).ToList();
                if (others.Any(x => x == Definiteness.Unknown)) return Definiteness.Unknown;
                Say(quiet, $"z'*(diag(p)-p*p')*z = sum(p.*z.^2) - (p'*z)^2 ≥ 0 with p = {P(p)}: p ≥ 0 and sum(p) = 1, so it is the variance of z's entries under p (Jensen)");
                foreach (var t in rest) ClassifyCore(t, quiet, 1);
                if (rest.Count > 0) Say(quiet, "a sum of positive semi-definite terms is positive semi-definite" + (others.Contains(Definiteness.Definite) ? " (definite: one term is)" : ""));
                return others.Contains(Definiteness.Definite) ? Definiteness.Definite : Definiteness.SemiDefinite;
            }
            case Add a:
            {
                var parts = a.Terms.Select(t => ClassifyCore(t, true, sign)).ToList();
                if (parts.Any(x => x == Definiteness.Unknown)) return Definiteness.Unknown;
                foreach (var t in a.Terms) ClassifyCore(t, quiet, sign);
                Say(quiet, $"a sum of {psd} terms is {psd}{(parts.Contains(Definiteness.Definite) ? " (definite: one term is)" : "")}");
                return parts.Contains(Definiteness.Definite) ? Definiteness.Definite : parts.All(x => x == Definiteness.Zero) ? Definiteness.Zero : Definiteness.SemiDefinite;
            }
            case Call { Op.Name: "diag" } dg when dg.Arg.Shape.Kind == LinearAlgebra.ShapeKind.Vector:
            {
                var r = RangeOf(dg.Arg);
                if (sign < 0) r = r.Negate();
                string v = sign > 0 ? "v" : "-v";
                if (r.IsPositive) { Say(quiet, $"diag(v) with v = {P(dg.Arg)}, {v} ∈ {r} > 0: {(sign > 0 ? "positive" : "negative")} definite"); return Definiteness.Definite; }
                if (r.IsNonNegative) { Say(quiet, $"diag(v) with v = {P(dg.Arg)}, {v} ∈ {r} ≥ 0: {psd}"); return Definiteness.SemiDefinite; }
                return Definiteness.Unknown;
            }
            case Elementwise { Op: ElementwiseOp.Mul } w when sign > 0 && !w.Left.Shape.IsScalar && !w.Right.Shape.IsScalar:
            {
                // Schur's product theorem
                var l = ClassifyCore(w.Left, true, 1);
                var r = ClassifyCore(w.Right, true, 1);
                if (l == Definiteness.Unknown || r == Definiteness.Unknown) return Definiteness.Unknown;
                Say(quiet, $"{P(h)}: the Hadamard product of positive semi-definite matrices is positive semi-definite (Schur)");
                return l == Definiteness.Definite && r == Definiteness.Definite ? Definiteness.Definite : Definiteness.SemiDefinite;
            }
            case Call { Op.Name: "kron" } k when sign > 0 && k.Args.Count == 2:
            {
                var l = ClassifyCore(k.Args[0], true, 1);
                var r = ClassifyCore(k.Args[1], true, 1);
                if (l == Definiteness.Unknown || r == Definiteness.Unknown) return Definiteness.Unknown;
                Say(quiet, $"{P(h)}: a Kronecker product of positive semi-definite matrices is positive semi-definite");
                return l == Definiteness.Definite && r == Definiteness.Definite ? Definiteness.Definite : Definiteness.SemiDefinite;
            }
            case Mul m: return Product(m, quiet, sign);
            default: return Definiteness.Unknown;
        }
    }

    /// <summary>The terms diag(p) and -p*p' of a sum, p = softmax(u) (a probability vector), or null.</summary>
    private static (int Diag, int Outer, Expr P)? CategoricalCovariance(Add a)
    {
        for (int i = 0; i < a.Terms.Count; i++)
        {
            if (a.Terms[i] is not Call { Op.Name: "diag", Args: [Call { Op.Name: "softmax" } p] }) continue;
            for (int j = 0; j < a.Terms.Count; j++)
            {
                var outer = a.Terms[j] switch
                {
                    Neg { X: Mul { Factors: [var u, Transpose { X: var v }] } } => (u, v),
                    Mul { Factors: [Num { Value: -1 }, var u, Transpose { X: var v }] } => (u, v),
                    _ => ((Expr?)null, (Expr?)null),
                };
                if (p.Equals(outer.Item1) && p.Equals(outer.Item2)) return (i, j, p);
            }
        }
        return null;
    }

    private Definiteness Product(Mul m, bool quiet, int sign)
    {
        var scalars = m.Factors.Where(f => f.Shape.IsScalar).ToList();
        var matrices = m.Factors.Where(f => !f.Shape.IsScalar).ToList();
        var scale = scalars.Count == 0 ? new Interval(1, 1) : scalars.Select(RangeOf).Aggregate((x, y) => x * y);
        int inner;
        if (scale.IsNonNegative) inner = sign;
        else if (scale.IsNonPositive) inner = -sign;
        else return Definiteness.Unknown;
        Definiteness d = matrices.Count == 1 ? ClassifyCore(matrices[0], quiet, inner) : Congruence(matrices, quiet, inner);
        if (d == Definiteness.Unknown) return d;
        if (scalars.Count > 0)
            Say(quiet, $"the factor {string.Join("*", scalars.Select(P))} ∈ {scale} is {(scale.IsPositive ? "positive" : scale.IsNegative ? "negative" : scale.IsNonNegative ? "non-negative" : "non-positive")}");
        bool strictScale = scale.IsPositive || scale.IsNegative;
        return strictScale ? d : d == Definiteness.Zero ? d : Definiteness.SemiDefinite;
    }

    /// <summary>A'*P*A (or A'*A): the outer factors are each other's transposes, sign·P PSD (or absent, for sign +1).</summary>
    private Definiteness Congruence(List<Expr> f, bool quiet, int sign)
    {
        int k = f.Count;
        for (int i = k / 2; i >= 1; i--)
        {
            bool mirrored = true;
            for (int t = 0; t < i && mirrored; t++) mirrored = TransposeOf(f[t], f[k - 1 - t]);
            if (!mirrored) continue;
            var outer = f.Skip(k - i).ToList();
            var a = outer.Count == 1 ? outer[0] : new Mul(outer);
            var middle = f.Skip(i).Take(k - 2 * i).ToList();
            if (middle.Count == 0)
            {
                if (sign < 0) return Definiteness.Unknown;
                if (ClassifyCore(a, true, 1) == Definiteness.Definite)
                {
                    Say(quiet, $"z'*{P(new Mul(f))}*z = norm2({P(a)}*z)^2 > 0 for every z ≠ 0: {P(a)} is positive definite, so invertible");
                    return Definiteness.Definite;
                }
                Say(quiet, $"z'*{P(new Mul(f))}*z = norm2({P(a)}*z)^2 ≥ 0 for every z: a Gram matrix is positive semi-definite (definite exactly when {P(a)} has full column rank)");
                return Definiteness.SemiDefinite;
            }
            var mid = middle.Count == 1 ? middle[0] : new Mul(middle);
            var d = ClassifyCore(mid, quiet, sign);
            if (d == Definiteness.Unknown) continue;
            if (d == Definiteness.Definite && ClassifyCore(a, true, 1) == Definiteness.Definite)
            {
                Say(quiet, $"z'*{P(new Mul(f))}*z = u'*({P(mid)})*u {(sign > 0 ? ">" : "<")} 0 with u = {P(a)}*z ≠ 0 for z ≠ 0, since {P(mid)} is {(sign > 0 ? "positive" : "negative")} definite and {P(a)} positive definite");
                return Definiteness.Definite;
            }
            Say(quiet, $"z'*{P(new Mul(f))}*z = u'*({P(mid)})*u {(sign > 0 ? "≥" : "≤")} 0 with u = {P(a)}*z, since {P(mid)} is {(sign > 0 ? "positive" : "negative")} semi-definite");
            return Definiteness.SemiDefinite;
        }
        return Definiteness.Unknown;
    }

    /// <summary>Whether <paramref name="a"/> is the transpose of <paramref name="b"/>.</summary>
    private static bool TransposeOf(Expr a, Expr b) =>
        a is Transpose ta && ta.X.Equals(b) || b is Transpose tb && tb.X.Equals(a)
        || (a.Shape.Kind == LinearAlgebra.ShapeKind.Matrix && a.Equals(b) && IsSymmetric(a));

    /// <summary>Symmetric by construction: a symmetric variable, the identity, the inverse of a symmetric matrix.</summary>
    private static bool IsSymmetric(Expr a) => a is Var { Symmetric: true } or Eye || a is Call { Op.Name: "inv", Args: [var s] } && IsSymmetric(s);
}
