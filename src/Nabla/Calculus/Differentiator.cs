using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Ops;

namespace Nabla.Calculus;

/// <summary>One application of a derivative rule, recorded for step-by-step derivations.</summary>
public sealed record RuleApplication(string Rule, Expr Node, Expr Adjoint);

/// <summary>
/// Gradients by reverse accumulation over the expression DAG: each node passes the gradient with
/// respect to its value on to its children by its rule (the matrix-differential rules in adjoint form).
/// The raw result is simplified afterwards by <see cref="Simplify.Simplifier"/>.
/// </summary>
public static class Differentiator
{
    /// <summary>The raw (unsimplified) gradient of the scalar <paramref name="f"/> with respect to <paramref name="x"/>.</summary>
    public static Expr Gradient(Expr f, Var x, List<RuleApplication>? trace = null)
    {
        if (!f.Shape.IsScalar)
            throw new NablaException(ErrorCodes.NotDifferentiable,
                $"the gradient needs a scalar objective, but this one is {f.Shape.Describe()}; ask for the jacobian instead");
        f = Normalize(f);
        var order = TopologicalOrder(f);
        var depends = DependsOn(order, x);
        var adjoint = new Dictionary<Expr, List<Expr>>();
        Add(adjoint, f, Num.One);
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var node = order[i];
            Budget.Check();
            if (!adjoint.TryGetValue(node, out var parts) || !depends.Contains(node) || node is Var) continue;
            var g = parts.Count == 1 ? parts[0] : new Add(parts);
            foreach (var (child, contribution, rule) in Rules(node, g, depends))
            {
                if (!depends.Contains(child)) continue;
                Add(adjoint, child, contribution);
                trace?.Add(new RuleApplication(rule, node, contribution));
            }
        }
        Expr grad = adjoint.TryGetValue(x, out var xs) ? (xs.Count == 1 ? xs[0] : new Add(xs)) : E.Fill(Num.Zero, x.Shape);
        if (x.Symmetric)
            grad = E.Div(E.Add(grad, E.T(grad)), Num.Two);
        return grad;
    }

    private static void Add(Dictionary<Expr, List<Expr>> adjoint, Expr node, Expr g)
    {
        if (!adjoint.TryGetValue(node, out var list)) adjoint[node] = list = [];
        list.Add(g);
    }

    /// <summary>Rewrites A^-k as inv(A)^k so that rules see one form.</summary>
    private static Expr Normalize(Expr e)
    {
        var children = e.Children;
        if (children.Count == 0) return e;
        var mapped = children.Select(Normalize).ToList();
        var n = mapped.SequenceEqual(children) ? e : e.WithChildren(mapped);
        // A long product of repeated scalars (a*a*…*a, 32,000 factors) is a power: the product rule would write
        // each factor's term with all the others, quadratic in time and memory.
        if (n is Mul { Factors.Count: > 8 } m && m.Factors.Where(f => f.Shape.IsScalar).GroupBy(f => f).Any(g => g.Count() > 1))
        {
            var powers = m.Factors.Where(f => f.Shape.IsScalar).GroupBy(f => f)
                .Select(g => g.Count() == 1 ? g.Key : new Power(g.Key, new Num(g.Count()))).ToList();
            var rest = m.Factors.Where(f => !f.Shape.IsScalar).ToList();
            var all = powers.Concat(rest).ToList();
            return all.Count == 1 ? all[0] : new Mul(all);
        }
        if (n is MatPow { K: < 0 } mp)
        {
            var inv = E.Call(Functions.Inv, mp.A);
            return mp.K == -1 ? inv : new MatPow(inv, -mp.K);
        }
        return n;
    }

    private static List<Expr> TopologicalOrder(Expr root)
    {
        var order = new List<Expr>();
        var seen = new HashSet<Expr>();
        var stack = new Stack<(Expr Node, bool Expanded)>();
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (n, expanded) = stack.Pop();
            if (expanded) { order.Add(n); continue; }
            if (!seen.Add(n)) continue;
            stack.Push((n, true));
            foreach (var c in n.Children)
                if (!seen.Contains(c)) stack.Push((c, false));
        }
        return order; // children before parents
    }

    private static HashSet<Expr> DependsOn(List<Expr> order, Var x)
    {
        var set = new HashSet<Expr>();
        foreach (var n in order)
            if (n.Equals(x) || n.Children.Any(set.Contains)) set.Add(n);
        return set;
    }

    /// <summary>Sum of the entries of a non-scalar expression; the expression itself if scalar.</summary>
    private static Expr ReduceTo(Shape target, Expr e) =>
        target.IsScalar && !e.Shape.IsScalar ? E.Call(Functions.Sum, e) : e;

    private static Expr Product(IEnumerable<Expr> factors)
    {
        var list = factors.ToList();
        return list.Count switch { 0 => Num.One, 1 => list[0], _ => new Mul(list) };
    }

    private static IEnumerable<(Expr Child, Expr Contribution, string Rule)> Rules(Expr node, Expr g, HashSet<Expr> depends)
    {
        switch (node)
        {
            case Neg n:
                yield return (n.X, E.Neg(g), "linearity");
                break;
            case Add a:
                foreach (var t in a.Terms) yield return (t, g, "linearity");
                break;
            case Fill f:
                yield return (f.Value, ReduceTo(Shape.Scalar, g), "linearity");
                break;
            case Transpose t:
                yield return (t.X, E.T(g), "transpose-rule");
                break;
            case Mul m:
                for (int i = 0; i < m.Factors.Count; i++)
                {
                    var fi = m.Factors[i];
                    var others = m.Factors.Where((_, k) => k != i).ToList();
                    if (fi.Shape.IsScalar)
                    {
                        yield return (fi, E.Inner(g, Product(others)), "product-rule");
                        continue;
                    }
                    var scalars = others.Where(o => o.Shape.IsScalar);
                    var left = m.Factors.Take(i).Where(o => !o.Shape.IsScalar).ToList();
                    var right = m.Factors.Skip(i + 1).Where(o => !o.Shape.IsScalar).ToList();
                    var parts = new List<Expr>(scalars);
                    if (left.Count > 0) parts.Add(E.T(Product(left)));
                    parts.Add(g);
                    if (right.Count > 0) parts.Add(E.T(Product(right)));
                    yield return (fi, Product(parts), "product-rule");
                }
                break;
            case Div d:
                yield return (d.X, E.Div(g, d.Divisor), "quotient-rule");
                yield return (d.Divisor, E.Neg(E.Div(E.Inner(g, d.X), E.Pow(d.Divisor, 2))), "quotient-rule");
                break;
            case Elementwise { Op: ElementwiseOp.Mul } w:
                yield return (w.Left, ReduceTo(w.Left.Shape, E.Had(g, w.Right)), "hadamard-product-rule");
                yield return (w.Right, ReduceTo(w.Right.Shape, E.Had(g, w.Left)), "hadamard-product-rule");
                break;
            case Elementwise w:
                yield return (w.Left, ReduceTo(w.Left.Shape, E.HDiv(g, w.Right)), "hadamard-quotient-rule");
                yield return (w.Right, ReduceTo(w.Right.Shape, E.Neg(E.Had(g, E.HDiv(w.Left, E.Pow(w.Right, 2))))), "hadamard-quotient-rule");
                break;
            case Power p:
                yield return (p.Base, E.Had(g, E.Mul(p.Exponent, E.Pow(p.Base, E.Add(p.Exponent, Num.MinusOne)))), "power-rule");
                yield return (p.Exponent, ReduceTo(Shape.Scalar, E.Had(g, E.Had(p, E.Call(Functions.Log, p.Base)))), "exponential-rule");
                break;
            case MatPow { K: > 0 } mp:
            {
                var at = E.T(mp.A);
                var terms = new List<Expr>();
                for (int i = 0; i < mp.K; i++)
                {
                    var parts = new List<Expr>();
                    if (i > 0) parts.Add(i == 1 ? at : new MatPow(at, i));
                    parts.Add(g);
                    int j = mp.K - 1 - i;
                    if (j > 0) parts.Add(j == 1 ? at : new MatPow(at, j));
                    terms.Add(Product(parts));
                }
                yield return (mp.A, terms.Count == 1 ? terms[0] : new Add(terms), "matrix-power-rule");
                break;
            }
            case MatPow:
                break; // A^0 is constant
            case Call { Args.Count: > 1 } c:
                // an op of several arguments gives each one's adjoint itself (and may refuse one: only those the
                // variable reaches are asked)
                for (int i = 0; i < c.Args.Count; i++)
                    if (depends.Contains(c.Args[i])) yield return (c.Args[i], c.Op.AdjointOf(c, i, g), c.Op.RuleName);
                break;
            case Call c:
                yield return (c.Arg, Adjoint(c, g), c.Op.RuleName);
                break;
        }
    }

    /// <summary>
    /// The gradient with respect to a call's argument, given the gradient <paramref name="g"/> with respect to its value:
    /// the op's transpose for a linear op, otherwise its differential d f = L(dX) transposed, the gradient of
    /// ⟨G, L(dX)⟩ by dX, which L's linearity leaves free of dX. The rule is transposed on placeholders (A for the
    /// argument, G for g), so neither the argument nor g is walked, and the placeholders are then substituted.
    /// </summary>
    public static Expr Adjoint(Call c, Expr g)
    {
        if (c.Op.IsLinear) return c.Op.TransposeLinear(c, g)!;
        if (Transposed.Count > 4096) Transposed.Clear(); // shapes carry the user's dimension names: keep the cache bounded
        var (node, arg, cotangent, adjoint) = Transposed.GetOrAdd((c.Op, c.Arg.Shape), key =>
        {
            var (op, shape) = key;
            var a = new Var("\u2202A", shape);
            var n = new Call(op, a);
            var dx = new Var("\u2202X", shape);
            var cot = new Var("\u2202G", n.Shape);
            var adj = Gradient(E.Inner(cot, op.Differential(n, dx)), dx);
            if (ExprQueries.Variables(adj).Any(v => v.Equals(dx)))
                throw new InvalidOperationException($"the differential rule of {op.Name} is not linear in dX");
            return (n, a, cot, adj);
        });
        return Substitute(adjoint, new Dictionary<Expr, Expr> { [node] = c, [arg] = c.Arg, [cotangent] = g });
    }

    /// <summary>Each op's transposed rule, per argument shape, on placeholders (computed once).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(FunctionOp, Shape), (Call Node, Var Arg, Var Cotangent, Expr Adjoint)> Transposed = new();

    /// <summary>Replaces the keys of <paramref name="map"/> in one pass, never looking inside what is put in.</summary>
    private static Expr Substitute(Expr e, Dictionary<Expr, Expr> map)
    {
        if (map.TryGetValue(e, out var with)) return with;
        var kids = e.Children;
        if (kids.Count == 0) return e;
        var mapped = kids.Select(k => Substitute(k, map)).ToList();
        return mapped.SequenceEqual(kids) ? e : e.WithChildren(mapped);
    }
}
