using Nabla.Expressions;
using Nabla.LinearAlgebra;

namespace Nabla.Simplify;

/// <summary>
/// Presentation by cost: a sum whose terms share a leading or trailing matrix factor is factored
/// (A*x + A'*x → (A+A')*x), a common coefficient comes out, whichever way makes the tree smallest.
/// </summary>
internal static class Factoring
{
    public static Expr Factor(Expr e)
    {
        Diagnostics.Budget.Check();
        var kids = e.Children.Select(Factor).ToList();
        if (!kids.SequenceEqual(e.Children)) e = e is Mul ? Rules.MakeMul(kids) : e.WithChildren(kids);
        if (e is Mul m) return TransposedSums(m);
        if (e is Elementwise { Op: ElementwiseOp.Mul } && ExpandHadamard(e) is { } expanded) return expanded;
        return e is Add a ? TransposedSum(FactorSum(a)) : e;
    }

    /// <summary>
    /// A matrix sum whose every term is transposed prints as the transpose of a sum when that saves a transpose
    /// a term: X'*A'*X'+A'*X'^2+X'^2*A' → (X*A*X+X^2*A+A*X^2)', the textbook's gradient of tr(A*X^3).
    /// </summary>
    private static Expr TransposedSum(Expr e)
    {
        if (e is not Add a || a.Shape.Kind != ShapeKind.Matrix || !a.Terms.All(t => Rules.TransposeCount(t) > 0)) return e;
        var inner = Rules.MakeAdd(a.Terms.Select(Rules.MakeT), a.Shape.Transposed);
        return Rules.TransposeCount(inner) + a.Terms.Count < Rules.TransposeCount(a) ? new Transpose(inner) : e;
    }

    /// <summary>
    /// An entry-wise product with a sum among its factors, multiplied out and collected, when that is shorter:
    /// ((1-y)./(1-s) - y./s).*(1-s).*s → s - y (the logistic loss's gradient). Bounded to 16 terms.
    /// </summary>
    private static Expr? ExpandHadamard(Expr e)
    {
        int budget = 16;
        var sum = Expand(e, ref budget);
        if (sum is null || budget < 0) return null;
        // Only a clear gain: (1-s).*s stays as it is, the logistic loss's 70 characters become s-y.
        return Rules.Key(sum).Length < 0.8 * Rules.Key(e).Length ? sum : null;
    }

    /// <summary>One sum factor's terms, each multiplied by the other factors (so that a factor and its reciprocal cancel first), recursively.</summary>
    private static Expr? Expand(Expr e, ref int budget)
    {
        var factors = new List<Expr>();
        void Walk(Expr x)
        {
            if (x is Elementwise { Op: ElementwiseOp.Mul } w) { Walk(w.Left); Walk(w.Right); }
            else factors.Add(x);
        }
        Walk(e);
        int k = factors.FindIndex(f => f is Add);
        if (k < 0) return null;
        var others = factors.Where((_, i) => i != k).ToList();
        var parts = ((Add)factors[k]).Terms;
        budget -= parts.Count - 1;
        if (budget < 0) return null;
        var terms = new List<Expr>();
        foreach (var p in parts)
        {
            var t = others.Aggregate(p, Rules.MakeHad);
            // A scaled entry-wise product (-y.*(1-s)) expands inside, and the scale goes to each term.
            var scalars = t is Mul sm ? sm.Factors.Where(f => f.Shape.IsScalar).ToList() : [];
            var body = t is Mul bm && bm.Factors.Count(f => !f.Shape.IsScalar) == 1 ? bm.Factors.First(f => !f.Shape.IsScalar) : t;
            if (body is Elementwise { Op: ElementwiseOp.Mul } && Expand(body, ref budget) is Add more)
                terms.AddRange(more.Terms.Select(m => scalars.Count == 0 ? m : Rules.MakeMul([.. scalars, m])));
            else terms.Add(t);
            if (budget < 0) return null;
        }
        return Rules.MakeAdd(terms, e.Shape);
    }

    /// <summary>A sum of transposes inside a product prints as the transpose of a sum: (x-m)*(x'-m') → (x-m)*(x-m)'.</summary>
    private static Expr TransposedSums(Mul m)
    {
        bool changed = false;
        var factors = m.Factors.Select(f =>
        {
            if (f is not Add a || f.Shape.IsScalar || !a.Terms.All(t => Rules.TransposeCount(t) > 0)) return f;
            var inner = Rules.MakeAdd(a.Terms.Select(Rules.MakeT), a.Shape.Transposed);
            if (Rules.TransposeCount(inner) >= Rules.TransposeCount(a) - 1) return f;
            changed = true;
            return new Transpose(Factor(inner));
        }).ToList();
        return changed ? new Mul(factors) : m;
    }

    private readonly record struct Term(Expr Whole, double Coef, List<Expr> Scalars, List<Expr> Chain);

    private static Term Split(Expr t)
    {
        double coef = 1;
        var scalars = new List<Expr>();
        var chain = new List<Expr>();
        var factors = t is Mul m ? m.Factors : [t];
        foreach (var f in factors)
        {
            if (f is Num n) coef *= n.Value;
            else if (f.Shape.IsScalar) scalars.Add(f);
            else chain.Add(f);
        }
        return new Term(t, coef, scalars, chain);
    }

    private static Expr FactorSum(Add a)
    {
        var terms = a.Terms.Select(Split).ToList();
        if (CommonCoefficient(terms) is { } c)
        {
            var inner = Rules.MakeAdd(terms.Select(t => Rules.MakeMul([new Num(t.Coef / c), .. t.Scalars, .. t.Chain])).ToList(), a.Shape);
            return Rules.MakeMul([new Num(c), inner is Add ia ? FactorSum(ia) : inner]);
        }
        if (a.Shape.IsScalar) return a;
        Expr best = a;
        int bestSize = a.Size;
        foreach (bool right in new[] { true, false })
        {
            var candidate = Group(a, terms, right);
            // Ties factor too: X*b*c'+X*c*b' → X*(b*c'+c*b') (Cookbook 77).
            if (candidate is not null && candidate.Size <= bestSize) { best = candidate; bestSize = candidate.Size; }
        }
        return best;
    }

    /// <summary>A whole number > 1 dividing every coefficient (2*y-2*X*w = 2*(y-X*w)), or null.</summary>
    private static double? CommonCoefficient(List<Term> terms)
    {
        long g = 0;
        foreach (var t in terms)
        {
            double c = Math.Abs(t.Coef);
            if (c != Math.Round(c) || c > 1e9) return null;
            g = Gcd(g, (long)c);
        }
        return g > 1 ? g : null;

        static long Gcd(long a, long b) => b == 0 ? a : Gcd(b, a % b);
    }

    private static Expr? Group(Add a, List<Term> terms, bool right)
    {
        var groups = new List<(Expr Key, List<Term> Members)>();
        var rest = new List<Expr>();
        foreach (var t in terms)
        {
            if (t.Chain.Count < 2) { rest.Add(t.Whole); continue; }
            var key = right ? t.Chain[^1] : t.Chain[0];
            var g = groups.FindIndex(x => x.Key.Equals(key));
            if (g < 0) groups.Add((key, [t])); else groups[g].Members.Add(t);
        }
        if (!groups.Any(g => g.Members.Count > 1)) return null;
        var result = new List<Expr>();
        foreach (var (key, members) in groups)
        {
            if (members.Count == 1) { result.Add(members[0].Whole); continue; }
            double common = members.All(m => m.Coef == members[0].Coef) ? members[0].Coef : 1;
            var inner = members.Select(m =>
            {
                var chain = right ? m.Chain.Take(m.Chain.Count - 1) : m.Chain.Skip(1);
                return Rules.MakeMul([new Num(m.Coef / common), .. m.Scalars, .. chain]);
            }).ToList();
            var sum = Factor(Rules.MakeAdd(inner, inner[0].Shape));
            var factored = right ? new List<Expr> { new Num(common), sum, key } : [new Num(common), key, sum];
            result.Add(Rules.MakeMul(factored));
        }
        // Factored terms lead, then the rest; negative terms stay last: (A+A')*x+b, X'*(X*w-y)+lambda*w.
        result.AddRange(rest);
        if (result.Count == 1) return result[0];
        return new Add(result.OrderBy(IsNegativeTerm).ToList());
    }

    private static bool IsNegativeTerm(Expr t) => t is Num { Value: < 0 } || t is Mul { Factors: [Num { Value: < 0 }, ..] };

}
