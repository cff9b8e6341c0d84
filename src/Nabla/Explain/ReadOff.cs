using Nabla.Calculus;
using Nabla.Expressions;
using Nabla.Ops;
using Nabla.Simplify;
using Nabla.LinearAlgebra;

namespace Nabla.Explain;

/// <summary>
/// Brings one term of a differential, linear in dX, to the form tr(M*dX) (M*dx for a vector or scalar):
/// a scalar equals its trace, tr(ABC) = tr(CAB), tr(A'...) by transposition, ⟨A, B.*C⟩ = ⟨A.*B, C⟩,
/// tr(L diag(w)) = diag(L)'*w, sum(Q) = ⟨1, Q⟩. What it does not recognise it reads off with the adjoint rules.
/// </summary>
internal sealed class ReadOff(Var dx)
{
    /// <summary>Rules used, in order, for the derivation's narration.</summary>
    public List<string> Used { get; } = [];

    private bool Has(Expr e) => e.Equals(dx) || e.Children.Any(Has);

    /// <summary>M with term = tr(M*dX); never null (falls back to the adjoint rules).</summary>
    public Expr Multiplier(Expr term)
    {
        var m = TryTerm(term);
        if (m is not null) return m;
        Used.Add("adjoint-rules");
        return Rules.MakeT(Simplifier.Canonical(Differentiator.Gradient(term, dx)));
    }

    private Expr? TryTerm(Expr term)
    {
        if (term is Add a)
        {
            var parts = a.Terms.Select(TryTerm).ToList();
            return parts.Any(p => p is null) ? null : Rules.MakeAdd(parts!, parts[0]!.Shape);
        }
        var factors = term is Mul m ? m.Factors.ToList() : [term];
        int i = factors.FindIndex(Has);
        if (i < 0 || factors.Skip(i + 1).Any(Has)) return null;
        var k = factors.Where((f, j) => j != i && f.Shape.IsScalar).ToList();
        var f = factors[i];
        if (!f.Shape.IsScalar)
        {
            var chain = factors.Where(c => !c.Shape.IsScalar).ToList();
            int ci = chain.IndexOf(f);
            return Chain(k, chain.Take(ci).ToList(), f, chain.Skip(ci + 1).ToList());
        }
        var rest = factors.Where((c, j) => j != i && !c.Shape.IsScalar).ToList();
        if (rest.Count > 0) return null;
        return Scalar(k, f);
    }

    /// <summary>term = K * φ with φ scalar and linear in dX.</summary>
    private Expr? Scalar(List<Expr> k, Expr phi)
    {
        switch (phi)
        {
            case var _ when phi.Equals(dx): return Product(k);
            case Mul m when m.Factors.All(f => !f.Shape.IsScalar):
            {
                int i = m.Factors.ToList().FindIndex(Has);
                return Chain(k, m.Factors.Take(i).ToList(), m.Factors[i], m.Factors.Skip(i + 1).ToList());
            }
            case Mul:
            {
                var inner = TryTerm(phi);
                return inner is null ? null : Rules.MakeMul([.. k, inner]);
            }
            case Call { Op: var op } c when ReferenceEquals(op, Functions.Tr):
            {
                var q = c.Arg;
                if (q is Add qa) return Sum(qa.Terms.Select(t => Scalar(k, Rules.MakeCall(Functions.Tr, t))));
                var chain = q is Mul qm ? qm.Factors.ToList() : [q];
                var scalars = chain.Where(f => f.Shape.IsScalar).ToList();
                chain = chain.Where(f => !f.Shape.IsScalar).ToList();
                int i = chain.FindIndex(Has);
                if (i < 0 || scalars.Any(Has)) return null;
                return Chain([.. k, .. scalars], chain.Take(i).ToList(), chain[i], chain.Skip(i + 1).ToList());
            }
            case Call { Op: var op } c when ReferenceEquals(op, Functions.Sum):
            {
                Used.Add("sum-as-inner-product");
                var q = c.Arg;
                var ones = new Fill(Num.One, q.Shape.Transposed);
                return Chain(k, [ones], q, []);
            }
            case Add a: return Sum(a.Terms.Select(t => Scalar(k, t)));
        }
        return null;
    }

    /// <summary>The transpose of a factor; a sum keeps its brackets, (y-X*w)', as a textbook writes it.</summary>
    private static Expr Flip(Expr e) => e is Add ? new Transpose(e) : Rules.MakeT(e);

    private static Expr? Sum(IEnumerable<Expr?> parts)
    {
        var list = parts.ToList();
        return list.Any(p => p is null) ? null : Rules.MakeAdd(list!, list[0]!.Shape);
    }

    private static Expr Product(IEnumerable<Expr> factors)
    {
        var l = factors.ToList();
        return l.Count == 0 ? Num.One : Rules.MakeMul(l);
    }

    /// <summary>tr(K * L * F * R) with F the factor holding dX.</summary>
    private Expr? Chain(List<Expr> k, List<Expr> left, Expr f, List<Expr> right)
    {
        if (f.Equals(dx))
        {
            Used.Add(left.Count > 0 || right.Count > 0 ? "cyclic-trace" : "identity");
            return Product([.. k, .. right, .. left]);
        }
        if (f is Transpose t && t.X.Equals(dx))
        {
            Used.Add("transpose-scalar");
            return Product([.. k, .. left.Select(Flip).Reverse(), .. right.Select(Flip).Reverse()]);
        }
        var rl = Product([.. right, .. left]); // tr(L F R) = tr(R L F) = ⟨(R L)', F⟩
        switch (f)
        {
            case Elementwise { Op: ElementwiseOp.Mul } h:
            {
                Used.Add("hadamard-inner-product");
                bool leftHas = Has(h.Left);
                var (u, w) = leftHas ? (h.Right, h.Left) : (h.Left, h.Right);
                // With nothing around F the pairing is tr(F) = <I, F>.
                var newLeft = Rules.MakeT(Rules.MakeHad(Rules.MakeT(rl is Num ? new Eye(f.Shape.Rows!.Value) : rl), u));
                return Chain(k, [newLeft], w, []);
            }
            case Call { Op: var op } d when ReferenceEquals(op, Functions.Diag) && d.Arg.Shape.Kind == ShapeKind.Vector:
            {
                Used.Add("diag-inner-product");
                var around = rl is Num ? new Eye(f.Shape.Rows!.Value) : rl;
                return Chain(k, [Rules.MakeT(Rules.MakeCall(Functions.Diag, around))], d.Arg, []);
            }
            case Add a:
                return Sum(a.Terms.Select(term => Chain(k, left, term, right)));
            case Mul m when m.Factors.All(x => !x.Shape.IsScalar):
            {
                int i = m.Factors.ToList().FindIndex(Has);
                return Chain(k, [.. left, .. m.Factors.Take(i)], m.Factors[i], [.. m.Factors.Skip(i + 1), .. right]);
            }
        }
        return null;
    }

}
