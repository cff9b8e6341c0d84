using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Ops;
using Nabla.Simplify;
using Nabla.LinearAlgebra;

namespace Nabla.Calculus;

/// <summary>
/// The Jacobian of diag(M) for a square M that depends on x: as a vector expression where one exists
/// (diag(L*diag(u)*R) = (L.*R')*u, diag(l*r') = l.*r), else built at the Jacobian level by the product rule
/// through M's factors (inverses, sums, powers, Hadamard products with outer products).
/// </summary>
public static partial class Jacobians
{
    private sealed partial class Forward
    {
        /// <summary>diag(M) of a square M written as a vector expression with no diag of a matrix that depends on x.</summary>
        private Expr DiagonalOf(Expr m, Expr whole)
        {
            if (!Depends(m)) return E.Call(Functions.Diag, m);
            switch (m)
            {
                case Add a: return new Add(a.Terms.Select(t => DiagonalOf(t, whole)).ToList());
                case Transpose t: return DiagonalOf(t.X, whole);
                case Fill f: return new Fill(f.Value, Shape.Vector(m.Shape.Rows!.Value));
                case Neg n: return E.Neg(DiagonalOf(n.X, whole));
                case Elementwise { Op: ElementwiseOp.Mul } w:
                    return w.Left.Shape.IsScalar ? E.Mul(w.Left, DiagonalOf(w.Right, whole))
                        : w.Right.Shape.IsScalar ? E.Mul(w.Right, DiagonalOf(w.Left, whole))
                        : E.Had(DiagonalOf(w.Left, whole), DiagonalOf(w.Right, whole));
                case Call { Op: var op } c when ReferenceEquals(op, Functions.Diag) && c.Arg.Shape.Kind == ShapeKind.Vector:
                    return c.Arg;
                case Call { Op: ElementwiseFunction } c:
                    return E.Call(c.Op, DiagonalOf(c.Arg, whole));
                case Mul mul:
                {
                    var scalars = mul.Factors.Where(f => f.Shape.IsScalar).ToList();
                    var chain = mul.Factors.Where(f => !f.Shape.IsScalar).ToList();
                    Expr? d = null;
                    // An outer product inside: diag(l*r') = l.*r.
                    if (SplitOuter(chain) is var (lv, rv)) d = E.Had(lv, rv);
                    else
                    {
                        // diag(L*diag(u)*R) = (L.*R')*u, with one factor depending on x; else the Jacobian-level route.
                        var dep = chain.Where(Depends).ToList();
                        if (dep.Count != 1 || dep[0] is not Call { Op: var dop, Args: [var u] } || !ReferenceEquals(dop, Functions.Diag)
                            || u.Shape.Kind != ShapeKind.Vector)
                            throw new NoVectorForm();
                        int at = chain.IndexOf(dep[0]);
                        var l = Chain(chain.Take(at).ToList());
                        var r = Chain(chain.Skip(at + 1).ToList());
                        d = (l, r) switch
                        {
                            (null, null) => u,
                            (null, { } rr) => E.Had(E.Call(Functions.Diag, rr), u),
                            ({ } ll, null) => E.Had(E.Call(Functions.Diag, ll), u),
                            ({ } ll, { } rr) => E.Mul(E.Had(ll, E.T(rr)), u),
                        };
                    }
                    return scalars.Count == 0 ? d : E.Mul([.. scalars, d]);
                }
            }
            throw new NoVectorForm();
        }

        /// <summary>diag(M) has no vector expression of the simple kinds; its Jacobian is built directly.</summary>
        private sealed class NoVectorForm : Exception;

        /// <summary>inv(M)' = inv(M'): the transpose moves inside, where the inverse rule applies.</summary>
        private static Expr InverseInside(Expr f) =>
            f is Transpose { X: Call { Op: var op } c } && ReferenceEquals(op, Functions.Inv)
                ? E.Call(Functions.Inv, Simplifier.Canonical(E.T(c.Arg))) : f;

        private NablaException NoTensorFree(Expr whole) => new(ErrorCodes.Unsupported,
            $"the Jacobian of {Printing.TextPrinter.PrintResult(whole)} with respect to {x.Name} needs a tensor form; not supported yet");

        /// <summary>The Jacobian of diag(M) for a square M (canonical), by the product rule over M's factors.</summary>
        private Expr DiagonalJacobian(Expr m, Expr whole)
        {
            switch (m)
            {
                case Add a: return SumOf(a.Terms.Where(Depends).Select(t => DiagonalJacobian(t, whole)).ToList());
                case Transpose t: return DiagonalJacobian(t.X, whole);
                case Mul mul:
                {
                    var terms = new List<Expr>();
                    var chain = mul.Factors.Where(f => !f.Shape.IsScalar).ToList();
                    var matrix = Chain(chain)!;
                    for (int i = 0; i < mul.Factors.Count; i++)
                    {
                        var f = mul.Factors[i];
                        if (!f.Shape.IsScalar || !Depends(f)) continue;
                        // diag(s*M) through s: diag(M)*J(s) with the other scalars.
                        var others = mul.Factors.Where((g, k) => k != i && g.Shape.IsScalar).ToList();
                        terms.Add(E.Mul([.. others, E.Call(Functions.Diag, matrix), J(f)]));
                    }
                    var scalars = mul.Factors.Where(g => g.Shape.IsScalar).ToList();
                    var through = ChainJacobian([], chain, [], whole);
                    if (through is not null) terms.Add(scalars.Count == 0 ? through : E.Mul([.. scalars, through]));
                    return terms.Count == 1 ? terms[0] : new Add(terms);
                }
                default:
                    return Through([], m, [], whole);
            }
        }

        private static Expr SumOf(List<Expr> terms) => terms.Count == 1 ? terms[0] : new Add(terms);

        /// <summary>The Jacobian of diag(L*F1*…*Fk*R) through the factors F (L and R fixed), or null if none depends on x.</summary>
        private Expr? ChainJacobian(List<Expr> left, List<Expr> chain, List<Expr> right, Expr whole)
        {
            var terms = new List<Expr>();
            for (int i = 0; i < chain.Count; i++)
            {
                if (!Depends(chain[i])) continue;
                terms.Add(Through([.. left, .. chain.Take(i)], chain[i], [.. chain.Skip(i + 1), .. right], whole));
            }
            return terms.Count switch { 0 => null, 1 => terms[0], _ => new Add(terms) };
        }

        /// <summary>The Jacobian of diag(L*F*R) through F alone.</summary>
        private Expr Through(List<Expr> left, Expr f, List<Expr> right, Expr whole)
        {
            Budget.Check();
            var l = Chain(left);
            var r = Chain(right);
            f = InverseInside(f);
            if (f.Shape.Kind == ShapeKind.Vector)
            {
                // diag(L*u*ρ') = (L*u).*ρ with ρ' = R (a row): J = diag(ρ)*L*J(u).
                if (r is null || r.Shape.Kind != ShapeKind.Row) throw NoTensorFree(whole);
                var rho = Simplifier.Canonical(E.T(r));
                return E.Mul([E.Call(Functions.Diag, rho), .. left, J(f)]);
            }
            if (f.Shape.Kind == ShapeKind.Row)
            {
                // diag(l*w'*R) = l.*(R'*w): J = diag(l)*R'*J(w).
                if (l is null || l.Shape.Kind != ShapeKind.Vector) throw NoTensorFree(whole);
                var jw = J(Simplifier.Canonical(E.T(f)));
                return r is null ? E.Mul(E.Call(Functions.Diag, l), jw) : E.Mul(E.Call(Functions.Diag, l), E.T(r), jw);
            }
            switch (f)
            {
                case Call { Op: var op, Args: [var u] } when ReferenceEquals(op, Functions.Diag) && u.Shape.Kind == ShapeKind.Vector:
                {
                    var ju = J(u);
                    return (l, r) switch
                    {
                        (null, null) => ju,
                        (null, { } rr) => E.Mul(E.Call(Functions.Diag, E.Call(Functions.Diag, rr)), ju),
                        ({ } ll, null) => E.Mul(E.Call(Functions.Diag, E.Call(Functions.Diag, ll)), ju),
                        ({ } ll, { } rr) => E.Mul(E.Had(ll, E.T(rr)), ju),
                    };
                }
                case Add a:
                    return SumOf(a.Terms.Where(Depends).Select(t => Through(left, t, right, whole)).ToList());
                case Mul mul:
                {
                    var parts = new List<Expr>();
                    var chain = mul.Factors.Where(g => !g.Shape.IsScalar).ToList();
                    var scalars = mul.Factors.Where(g => g.Shape.IsScalar).ToList();
                    for (int i = 0; i < mul.Factors.Count; i++)
                    {
                        var g = mul.Factors[i];
                        if (!g.Shape.IsScalar || !Depends(g)) continue;
                        var others = mul.Factors.Where((h, k) => k != i).ToList();
                        parts.Add(E.Mul(E.Call(Functions.Diag, Rebuild(left, Chain(others)!, right)), J(g)));
                    }
                    if (ChainJacobian(left, chain, right, whole) is { } c) parts.Add(scalars.Count == 0 ? c : E.Mul([.. scalars, c]));
                    return parts.Count == 1 ? parts[0] : new Add(parts);
                }
                case Call { Op: var op, Args: [var m] } when ReferenceEquals(op, Functions.Inv):
                    // d diag(L*inv(M)*R) = diag(-L*inv(M)*dM*inv(M)*R).
                    return E.Neg(Through([.. left, f], m, [f, .. right], whole));
                case MatPow { K: > 0 } mp:
                {
                    var parts = new List<Expr>();
                    for (int i = 0; i < mp.K; i++)
                    {
                        var pre = Enumerable.Repeat(mp.A, i).ToList();
                        var post = Enumerable.Repeat(mp.A, mp.K - 1 - i).ToList();
                        parts.Add(Through([.. left, .. pre], mp.A, [.. post, .. right], whole));
                    }
                    return parts.Count == 1 ? parts[0] : new Add(parts);
                }
                case Elementwise { Op: ElementwiseOp.Mul } w when HadamardWithOuter(w) is { } product:
                    return Through(left, Simplifier.Canonical(product), right, whole);
                case Elementwise { Op: ElementwiseOp.Mul } w when w.Left.Shape.IsScalar || w.Right.Shape.IsScalar:
                    return Through(left, Simplifier.Canonical(E.Mul(w.Left, w.Right)), right, whole);
            }
            if (l is null && r is null)
                try
                {
                    return J(Simplifier.Canonical(DiagonalOf(f, whole)));
                }
                catch (NoVectorForm)
                {
                }
            throw NoTensorFree(whole);
        }

        private static Expr Rebuild(List<Expr> left, Expr f, List<Expr> right) =>
            left.Count + right.Count == 0 ? f : new Mul([.. left, f, .. right]);
    }
}
