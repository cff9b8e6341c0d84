using Nabla.Expressions;
using Nabla.Ops;

namespace Nabla.Calculus;

/// <summary>
/// The rules of the matrix differential, applied one at a time to the outermost unexpanded d(u):
/// linearity, the product rule d(XY) = dX Y + X dY, the transpose rule, the element-wise chain rule
/// d f(X) = f'(X) .* dX, and the rules for tr, det, logdet, inv, norms, softmax and logsumexp.
/// </summary>
public sealed class Differentials(Var x, Var dx)
{
    private readonly Dictionary<Expr, bool> _depends = [];

    /// <summary>Whether <paramref name="e"/> depends on the variable (memoised by node).</summary>
    public bool Depends(Expr e)
    {
        if (_depends.TryGetValue(e, out bool d)) return d;
        d = e.Equals(x) || e.Children.Any(Depends);
        _depends[e] = d;
        return d;
    }

    /// <summary>d(u) with the leaf rules applied at once: d(x) = dx, d(constant) = 0.</summary>
    public Expr D(Expr u)
    {
        if (!Depends(u)) return Zero(u.Shape);
        if (u.Equals(x)) return dx;
        return DifferentialOp.Of(u);
    }

    /// <summary>The zero of a shape: 0 for a scalar, a fill of 0 otherwise.</summary>
    public static Expr Zero(Shape s) => s.IsScalar ? Num.Zero : new Fill(Num.Zero, s);

    /// <summary>Whether <paramref name="e"/> is a zero: the number 0 or a fill of 0.</summary>
    public static bool IsZero(Expr e) => e is Num { Value: 0 } || e is Fill { Value: Num { Value: 0 } };

    /// <summary>The rule that expands d(u) one level, as (rule name, rule text, expansion).</summary>
    public (string Rule, string Text, Expr Expansion) Expand(Expr u)
    {
        switch (u)
        {
            case Neg n: return ("linearity", "d(-X) = -dX", new Neg(D(n.X)));
            case Add a: return ("linearity", "d(X + Y) = dX + dY", Sum(a.Terms.Select(D), a.Shape));
            case Fill f: return ("linearity", "d(c 1) = dc 1", new Fill(D(f.Value), f.Shape));
            case Transpose t: return ("transpose-rule", "d(X') = (dX)'", new Transpose(D(t.X)));
            case Mul m:
            {
                var terms = new List<Expr>();
                for (int i = 0; i < m.Factors.Count; i++)
                {
                    if (!Depends(m.Factors[i])) continue;
                    var f = m.Factors.ToList();
                    f[i] = D(f[i]);
                    terms.Add(new Mul(f));
                }
                return ("product-rule", "d(XY) = dX Y + X dY", Sum(terms, m.Shape));
            }
            case Div d:
            {
                var terms = new List<Expr>();
                if (Depends(d.X)) terms.Add(new Div(D(d.X), d.Divisor));
                if (Depends(d.Divisor))
                    terms.Add(new Neg(new Div(new Mul([d.X, D(d.Divisor)]), new Power(d.Divisor, Num.Two))));
                return ("quotient-rule", "d(X/s) = dX/s - X ds/s^2", Sum(terms, d.Shape));
            }
            case Elementwise { Op: ElementwiseOp.Mul } w:
            {
                var terms = new List<Expr>();
                if (Depends(w.Left)) terms.Add(new Elementwise(ElementwiseOp.Mul, D(w.Left), w.Right));
                if (Depends(w.Right)) terms.Add(new Elementwise(ElementwiseOp.Mul, w.Left, D(w.Right)));
                return ("product-rule", "d(X .* Y) = dX .* Y + X .* dY", Sum(terms, w.Shape));
            }
            case Elementwise w:
            {
                var terms = new List<Expr>();
                if (Depends(w.Left)) terms.Add(new Elementwise(ElementwiseOp.Div, D(w.Left), w.Right));
                if (Depends(w.Right))
                    terms.Add(new Neg(E.Had(E.HDiv(w.Left, E.Pow(w.Right, 2)), D(w.Right))));
                return ("quotient-rule", "d(X ./ Y) = dX ./ Y - X ./ Y.^2 .* dY", Sum(terms, w.Shape));
            }
            case Power p:
            {
                var terms = new List<Expr>();
                if (Depends(p.Base))
                    terms.Add(E.Had(E.Mul(p.Exponent, E.Pow(p.Base, E.Add(p.Exponent, Num.MinusOne))), D(p.Base)));
                if (Depends(p.Exponent))
                    terms.Add(E.Mul(E.Had(p, E.Call(Functions.Log, p.Base)), D(p.Exponent)));
                return ("power-rule", "d(X.^p) = p X.^(p-1) .* dX", Sum(terms, p.Shape));
            }
            case MatPow { K: > 0 } mp:
            {
                var terms = new List<Expr>();
                for (int i = 0; i < mp.K; i++)
                {
                    var f = new List<Expr>();
                    if (i > 0) f.Add(i == 1 ? mp.A : new MatPow(mp.A, i));
                    f.Add(D(mp.A));
                    int j = mp.K - 1 - i;
                    if (j > 0) f.Add(j == 1 ? mp.A : new MatPow(mp.A, j));
                    terms.Add(f.Count == 1 ? f[0] : new Mul(f));
                }
                return ("product-rule", "d(A^k) = sum of A^i dA A^(k-1-i)", Sum(terms, mp.Shape));
            }
            case MatPow mp:
                return Expand(mp.K == 0 ? new Eye(mp.Shape.Rows!.Value) : new Call(Functions.Inv, mp.K == -1 ? mp.A : new MatPow(mp.A, -mp.K)));
            case Call c: return ExpandCall(c);
        }
        throw new InvalidOperationException("no differential rule for " + u.GetType().Name);
    }

    /// <summary>The op's own differential rule (the registry holds it; no op is named here).</summary>
    private (string, string, Expr) ExpandCall(Call c) => (c.Op.RuleName, c.Op.RuleText,
        c.Args.Count == 1 ? c.Op.Differential(c, D(c.Arg)) : c.Op.DifferentialOf(c, c.Args.Select(a => Depends(a) ? D(a) : null).ToList()));

    private static Expr Sum(IEnumerable<Expr> terms, Shape shape)
    {
        var list = terms.Where(t => !IsZero(t)).ToList();
        return list.Count switch { 0 => Zero(shape), 1 => list[0], _ => new Add(list) };
    }

    /// <summary>
    /// Expands d(f) completely, one rule at a time (outermost first), calling <paramref name="onStep"/>
    /// with each rule and the expression it reaches; zero terms are dropped as they appear.
    /// </summary>
    public Expr ExpandAll(Expr f, Action<string, string, Expr>? onStep = null, int maxSteps = 400)
    {
        Expr cur = D(f);
        int n = 0;
        while (FirstD(cur) is { } node)
        {
            Diagnostics.Budget.Check();
            if (++n > maxSteps)
                throw new Diagnostics.NablaException(Diagnostics.ErrorCodes.LimitExceeded, $"the differential takes more than {maxSteps} steps to expand");
            var (rule, reason, expansion) = Expand(node.Arg);
            cur = Cleanup(cur.Replace(node, expansion));
            onStep?.Invoke(rule, reason, cur);
        }
        return cur;
    }

    private static Call? FirstD(Expr e)
    {
        if (DifferentialOp.IsD(e)) return (Call)e;
        foreach (var c in e.Children)
            if (FirstD(c) is { } d) return d;
        return null;
    }

    /// <summary>Drops zero terms and products with a zero factor, nothing more (a step stays readable).</summary>
    private static Expr Cleanup(Expr e)
    {
        var kids = e.Children;
        if (kids.Count == 0) return e;
        var mapped = kids.Select(Cleanup).ToList();
        bool anyZero = mapped.Any(IsZero);
        switch (e)
        {
            case Add a:
            {
                var terms = mapped.Where(t => !IsZero(t)).ToList();
                return terms.Count switch { 0 => Zero(a.Shape), 1 => terms[0], _ => new Add(terms) };
            }
            case Mul or Neg or Transpose or Elementwise { Op: ElementwiseOp.Mul } when anyZero:
                return Zero(e.Shape);
            case Div or Elementwise when IsZero(mapped[0]):
                return Zero(e.Shape);
            case Call { Op.IsLinear: true } when anyZero:
                return Zero(e.Shape);
        }
        return mapped.SequenceEqual(kids) ? e : e.WithChildren(mapped);
    }
}
