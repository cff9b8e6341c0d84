using Nabla.Expressions;
using Nabla.Ops;

namespace Nabla.Simplify;

/// <summary>
/// Brings an expression to a canonical form (terminating: every rule makes the tree smaller or moves
/// transposes toward the leaves), then factors sums for presentation. Rules are named; each one has a
/// numeric soundness test.
/// </summary>
public static partial class Simplifier
{
    /// <summary>
    /// The canonical form, factored for presentation. Factoring can expose new canonical work (a sum that
    /// factored to a transpose, a fill that met a product), so the pass repeats until the result is stable,
    /// at most a few times: Simplify(Simplify(e)) = Simplify(e).
    /// </summary>
    public static Expr Simplify(Expr e)
    {
        var s = Factoring.Factor(Canonical(e));
        for (int i = 0; i < 4; i++)
        {
            var next = Factoring.Factor(Canonical(s));
            if (next.Equals(s)) break;
            s = next;
        }
        return s;
    }

    /// <summary>The canonical form without factoring.</summary>
    public static Expr Canonical(Expr e) => new Canon().Run(e);

    private sealed class Canon
    {
        private readonly Dictionary<Expr, Expr> _memo = [];

        public Expr Run(Expr e)
        {
            if (_memo.TryGetValue(e, out var r)) return r;
            Diagnostics.Budget.Check();
            var kids = e.Children.Select(Run).ToList();
            r = e switch
            {
                Num or Var or Eye => e,
                Fill f => Rules.MakeFill(kids[0], f.Shape),
                Neg => Rules.MakeMul([Num.MinusOne, kids[0]]),
                Add a => Rules.MakeAdd(kids, a.Shape),
                Mul => Rules.MakeMul(kids),
                Div => Rules.MakeMul([kids[0], Rules.MakePow(kids[1], Num.MinusOne)]),
                Elementwise { Op: ElementwiseOp.Mul } => Rules.MakeHad(kids[0], kids[1]),
                Elementwise => Rules.MakeHad(kids[0], Rules.MakePow(kids[1], Num.MinusOne)),
                Power => Rules.MakePow(kids[0], kids[1]),
                MatPow mp => Rules.MakeMatPow(kids[0], mp.K),
                Transpose => Rules.MakeT(kids[0]),
                // the op's own identities first (raw; what they give is canonicalised in turn), then the general rules
                Call c when c.Op.Rewrite(kids) is { } rewritten => Run(rewritten),
                Call c => Rules.MakeCall(c.Op, kids),
                _ => throw new InvalidOperationException(e.GetType().Name),
            };
            _memo[e] = r;
            return r;
        }
    }
}
