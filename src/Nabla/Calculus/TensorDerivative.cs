using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Ops;
using Nabla.Simplify;
using Nabla.LinearAlgebra;

namespace Nabla.Calculus;

/// <summary>
/// Derivatives with no matrix form — a matrix by a matrix, a vector by a matrix, a matrix by a vector — in
/// index notation over named indices: expand dF by the differential rules, then read each term, linear in
/// dX, as a product of indexed factors (L dX R gives L[i,k]*R[l,j]), eliminating Kronecker deltas.
/// </summary>
public static class TensorDerivative
{
    /// <summary>The derivative of <paramref name="f"/> with respect to <paramref name="x"/> in index notation.</summary>
    public static IndexForm Build(Expr f, Var x)
    {
        // A row objective u' has the derivative of its column u (contract 4: the unit axis of [1, m] ++ T dropped).
        if (f.Shape.Kind == ShapeKind.Row) f = Simplifier.Canonical(E.T(f));
        var dx = new Var("d" + x.Name, x.Shape, x.Symmetric);
        var df = Simplifier.Canonical(new Differentials(x, dx).ExpandAll(f));
        var reserved = ExprQueries.Variables(f).Select(v => v.Name).ToHashSet();
        var builder = new Builder(dx, AxesOf(x.Shape, ["k", "l"]), reserved);
        var outAxes = AxesOf(f.Shape, ["i", "j"]);
        var terms = builder.Terms(df, outAxes).Select(t => Untranspose(Eliminate(t, [.. outAxes, .. builder.XAxes]))).ToList();
        if (x.Symmetric && builder.XAxes.Count == 2) terms = Symmetrize(terms, builder.XAxes[0], builder.XAxes[1]);
        var free = outAxes.Concat(builder.XAxes).ToList();
        var dims = f.Shape.Dims.Concat(x.Shape.Dims).ToList();
        return new IndexForm(free, dims, terms);
    }

    /// <summary>
    /// The symmetric-variable convention (contract 4) for a derivative by a symmetric X: the mean over the
    /// variable's two indices, (J[…,k,l] + J[…,l,k])/2 — what f changes by along symmetric directions, the
    /// gradient's (G + G')/2 one order up.
    /// </summary>
    private static List<IndexTerm> Symmetrize(List<IndexTerm> terms, string k, string l)
    {
        string Swap(string ix) => ix == k ? l : ix == l ? k : ix;
        var half = new Num(0.5);
        var result = new List<IndexTerm>(2 * terms.Count);
        foreach (var t in terms) result.Add(t with { Scale = Rules.MakeMul([half, t.Scale]), Kron = null });
        foreach (var t in terms)
            result.Add(t with
            {
                Scale = Rules.MakeMul([half, t.Scale]),
                Factors = t.Factors.Select(f => f with { Indices = f.Indices.Select(Swap).ToList() }).ToList(),
                Kron = null,
            });
        return result;
    }

    private static List<string> AxesOf(Shape s, string[] names) => s.Kind switch
    {
        ShapeKind.Scalar => [],
        ShapeKind.Vector => [names[0]],
        _ => [names[0], names[1]],
    };

    /// <summary>A transposed factor reads with its indices swapped: (M')[i,j] = M[j,i], (u')[j] = u[j].</summary>
    private static IndexTerm Untranspose(IndexTerm t) => t with
    {
        Factors = t.Factors.Select(f => f.Value is Transpose tr ? new IndexFactor(tr.X, f.Indices.Reverse().ToList()) : f).ToList(),
    };

    /// <summary>Removes δ[a,b] where a or b is summed, renaming it away.</summary>
    private static IndexTerm Eliminate(IndexTerm t, List<string> free)
    {
        var factors = t.Factors.ToList();
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int i = 0; i < factors.Count; i++)
            {
                if (!factors[i].IsDelta) continue;
                var (a, b) = (factors[i].Indices[0], factors[i].Indices[1]);
                string? gone = !free.Contains(b) ? b : !free.Contains(a) ? a : null;
                if (gone is null || a == b) continue;
                string keep = gone == a ? b : a;
                factors.RemoveAt(i);
                factors = factors.Select(f => f with { Indices = f.Indices.Select(ix => ix == gone ? keep : ix).ToList() }).ToList();
                changed = true;
                break;
            }
        }
        return t with { Factors = factors };
    }

    private sealed class Builder(Var dx, List<string> xAxes, HashSet<string> reserved)
    {
        private int _fresh;
        public List<string> XAxes { get; } = xAxes;

        /// <summary>A summation index: p, q, r, … then p1, q1, …, never the name of a variable of the expression.</summary>
        private string Fresh()
        {
            while (true)
            {
                var name = "pqrstuvwxyz"[_fresh % 11] + (_fresh >= 11 ? (_fresh / 11).ToString(System.Globalization.CultureInfo.InvariantCulture) : "");
                _fresh++;
                if (!reserved.Contains(name)) return name;
            }
        }

        private bool Has(Expr e) => e.Equals(dx) || e.Children.Any(Has);

        private static NablaException Unsupported(Expr e) =>
            new(ErrorCodes.Unsupported, $"the derivative through {Printing.TextPrinter.PrintResult(e)} has no index form in this version");

        /// <summary>The terms of the derivative of e (linear in dX), whose axes carry the given index names.</summary>
        public List<IndexTerm> Terms(Expr e, List<string> axes)
        {
            Budget.Check();
            if (!Has(e)) return [];
            if (e.Equals(dx))
                return [new IndexTerm(Num.One, axes.Zip(XAxes, IndexFactor.Delta).ToList(), new KronHint(null, null, false))];
            if (e is Transpose t && t.X.Equals(dx))
            {
                // dX' has axes (a, b) = dX's (b, a).
                var swapped = axes.Count == 2 ? [axes[1], axes[0]] : axes;
                return [new IndexTerm(Num.One, swapped.Zip(XAxes, IndexFactor.Delta).ToList(), new KronHint(null, null, true))];
            }
            switch (e)
            {
                case Add a: return a.Terms.SelectMany(term => Terms(term, axes)).ToList();
                case Mul m: return Product(m, axes);
                case Elementwise { Op: ElementwiseOp.Mul } w:
                {
                    if (Has(w.Left) && Has(w.Right)) throw Unsupported(e);
                    var (u, v) = Has(w.Left) ? (w.Right, w.Left) : (w.Left, w.Right);
                    return Terms(v, axes).Select(term => term with { Factors = [new IndexFactor(u, axes), .. term.Factors], Kron = null }).ToList();
                }
                case Transpose tr:
                    return Terms(tr.X, axes.Count == 2 ? [axes[1], axes[0]] : axes).Select(term => term with { Kron = null }).ToList();
                case Fill fl:
                    return Terms(fl.Value, []).Select(term => term with { Kron = null }).ToList();
                case Call { Op: var op } c when ReferenceEquals(op, Functions.Tr):
                {
                    var p = Fresh();
                    return Terms(c.Arg, [p, p]).Select(term => term with { Kron = null }).ToList();
                }
                case Call { Op: var op } c when ReferenceEquals(op, Functions.Sum):
                    return Terms(c.Arg, AxesOf(c.Arg.Shape, [Fresh(), Fresh()])).Select(term => term with { Kron = null }).ToList();
                case Call { Op: var op } c when ReferenceEquals(op, Functions.Diag) && c.Arg.Shape.Kind == ShapeKind.Vector:
                    return Terms(c.Arg, [axes[0]]).Select(term => term with { Factors = [IndexFactor.Delta(axes[0], axes[1]), .. term.Factors], Kron = null }).ToList();
                case Call { Op: var op } c when ReferenceEquals(op, Functions.Diag):
                    return Terms(c.Arg, [axes[0], axes[0]]).Select(term => term with { Kron = null }).ToList();
            }
            throw Unsupported(e);
        }

        private List<IndexTerm> Product(Mul m, List<string> axes)
        {
            var withDx = m.Factors.Where(Has).ToList();
            if (withDx.Count != 1) throw Unsupported(m);
            var hole = withDx[0];
            var scalars = m.Factors.Where(f => f.Shape.IsScalar && !ReferenceEquals(f, hole)).ToList();
            var scale = scalars.Count == 0 ? Num.One : Rules.MakeMul(scalars);
            var chain = m.Factors.Where(f => !f.Shape.IsScalar).ToList();
            if (hole.Shape.IsScalar)
            {
                // M * φ: the outer product of M with the gradient of φ.
                var rest = chain.Count == 0 ? null : chain.Count == 1 ? chain[0] : new Mul(chain);
                return Terms(hole, []).Select(term =>
                {
                    var factors = rest is null ? term.Factors.ToList() : [new IndexFactor(rest, axes), .. term.Factors];
                    return new IndexTerm(Rules.MakeMul([scale, term.Scale]), factors);
                }).ToList();
            }
            int at = chain.IndexOf(hole);
            var left = chain.Take(at).ToList();
            var right = chain.Skip(at + 1).ToList();
            Expr? p = left.Count == 0 ? null : left.Count == 1 ? left[0] : new Mul(left);
            Expr? q = right.Count == 0 ? null : right.Count == 1 ? right[0] : new Mul(right);
            // Index names at the boundaries: the product's own axes outside, fresh (summed) ones inside.
            int ax = 0;
            string? Outer(bool present) => present ? axes[ax++] : null;
            string? rowOut = Outer(m.Shape.Rows is not null);
            string? colOut = Outer(m.Shape.Cols is not null);
            string? pq = hole.Shape.Rows is not null ? (p is null ? rowOut : Fresh()) : null;
            string? hq = hole.Shape.Cols is not null ? (q is null ? colOut : Fresh()) : null;
            var holeAxes = new List<string>();
            if (pq is not null) holeAxes.Add(pq);
            if (hq is not null) holeAxes.Add(hq);
            var pIdx = p is null ? null : new List<string?> { p.Shape.Rows is not null ? rowOut : null, p.Shape.Cols is not null ? pq : null }.OfType<string>().ToList();
            var qIdx = q is null ? null : new List<string?> { q.Shape.Rows is not null ? hq : null, q.Shape.Cols is not null ? colOut : null }.OfType<string>().ToList();
            return Terms(hole, holeAxes).Select(term =>
            {
                var factors = new List<IndexFactor>();
                if (p is not null) factors.Add(new IndexFactor(p, pIdx!));
                factors.AddRange(term.Factors);
                if (q is not null) factors.Add(new IndexFactor(q, qIdx!));
                var kron = term.Kron is { P: null, Q: null } k ? new KronHint(p, q, k.Transposed) : null;
                return new IndexTerm(Rules.MakeMul([scale, term.Scale]), factors, kron);
            }).ToList();
        }
    }
}
