using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Ops;
using Nabla.Simplify;

namespace Nabla.Calculus;

/// <summary>
/// Jacobians of scalar- and vector-valued expressions with respect to a scalar or a vector, in matrix
/// form, by forward accumulation over the canonical form: J(A*u) = A*J(u), J(f(u)) = diag(f'(u))*J(u),
/// J(s*v) = v*J(s) + s*J(v); a scalar subexpression's Jacobian is its gradient transposed (reverse mode).
/// The Hessian is the Jacobian of the gradient.
/// </summary>
public static class Jacobians
{
    public static Expr Jacobian(Expr f, Var x)
    {
        if (f.Shape.IsScalar) return Simplifier.Simplify(Differentiator.Gradient(f, x));
        if (x.Shape.IsScalar) return ByScalar(f, x);
        CheckSupported(f.Shape, x, "jacobian");
        var j = new Forward(x).J(Simplifier.Canonical(f));
        return Simplifier.Simplify(j);
    }

    /// <summary>The derivative of any objective by a scalar: its differential with dx = 1.</summary>
    private static Expr ByScalar(Expr f, Var x)
    {
        var dx = new Var("d" + x.Name, x.Shape);
        var df = new Differentials(x, dx).ExpandAll(f);
        return Simplifier.Simplify(df.Replace(dx, Num.One));
    }

    public static Expr Hessian(Expr f, Var x)
    {
        if (!f.Shape.IsScalar)
            throw new NablaException(ErrorCodes.NotDifferentiable,
                $"the Hessian needs a scalar objective, but this one is {f.Shape.Describe()}; ask for the jacobian instead");
        var g = Simplifier.Simplify(Differentiator.Gradient(f, x));
        if (x.Shape.IsScalar) return Simplifier.Simplify(Differentiator.Gradient(g, x));
        CheckSupported(g.Shape, x, "hessian");
        var h = new Forward(x).J(Simplifier.Canonical(g));
        return Simplifier.Simplify(h);
    }

    private static void CheckSupported(Shape f, Var x, string what)
    {
        if (f.Kind is ShapeKind.Scalar or ShapeKind.Vector && x.Shape.Kind is ShapeKind.Scalar or ShapeKind.Vector) return;
        if (f.Kind == ShapeKind.Row || x.Shape.Kind == ShapeKind.Row)
            throw new NablaException(ErrorCodes.Unsupported,
                $"the {what} of a row vector: Nabla differentiates column vectors, so write the objective as a column (for x'*A write A'*x)");
        throw new NablaException(ErrorCodes.Unsupported,
            $"the {what} of a {f.Describe()} with respect to {x.Name} ({x.Shape.Describe()}) is a higher-order tensor; " +
            "this version gives matrix-form Jacobians of scalars and vectors with respect to scalars and vectors");
    }

    private sealed class Forward(Var x)
    {
        private readonly Dictionary<Expr, Expr?> _memo = [];
        private readonly HashSet<Expr> _dependent = [];
        private readonly HashSet<Expr> _independent = [];

        private bool Depends(Expr e)
        {
            if (_dependent.Contains(e)) return true;
            if (_independent.Contains(e)) return false;
            bool d = e.Equals(x) || e.Children.Any(Depends);
            (d ? _dependent : _independent).Add(e);
            return d;
        }

        /// <summary>The Jacobian of e (shape e ++ x), or null when e does not depend on x.</summary>
        private Expr? Jn(Expr e)
        {
            if (!Depends(e)) return null;
            if (_memo.TryGetValue(e, out var r)) return r;
            r = Compute(e);
            _memo[e] = r;
            return r;
        }

        public Expr J(Expr e) => Jn(e) ?? Zero(e);

        private Expr Zero(Expr e) => Rules.Zero(JShape(e.Shape));

        private Shape JShape(Shape s) => x.Shape.IsScalar ? s : s.IsScalar ? x.Shape.Transposed : Shape.Matrix(s.Rows!.Value, x.Shape.Rows!.Value);

        private static Expr Diag(Expr v) => v.Shape.IsScalar ? v : E.Call(Functions.Diag, v);

        /// <summary>diag(v)*J, written v.*J when J is a vector (differentiating by a scalar).</summary>
        private Expr Scale(Expr v, Expr j) => x.Shape.IsScalar ? E.Had(v, j) : E.Mul(Diag(v), j);

        private Expr Compute(Expr e)
        {
            if (e.Shape.IsScalar)
            {
                // The Jacobian of a scalar is its gradient, laid out as a row.
                var g = Differentiator.Gradient(e, x);
                return x.Shape.IsScalar ? g : E.T(g);
            }
            if (e.Shape.Kind != ShapeKind.Vector)
                throw new NablaException(ErrorCodes.Unsupported,
                    $"the derivative of the {e.Shape.Describe()} {Printing.TextPrinter.PrintResult(e)} with respect to {x.Name} is a higher-order tensor; not supported in matrix form yet");
            switch (e)
            {
                case Var: return x.Shape.IsScalar ? Num.One : new Eye(x.Shape.Rows!.Value);
                case Fill f: return E.Mul(new Fill(Num.One, f.Shape), J(f.Value));
                case Add a: return new Add(a.Terms.Select(J).ToList());
                case Mul m: return Product(m);
                case Elementwise { Op: ElementwiseOp.Mul } w:
                    return Sum(Jn(w.Left) is { } jl ? Scale(w.Right, jl) : null,
                               Jn(w.Right) is { } jr ? Scale(w.Left, jr) : null)!;
                case Power { Exponent: var p } pw when !Depends(p):
                    return Scale(E.Had(E.Fill(p, pw.Shape), E.Pow(pw.Base, E.Add(p, Num.MinusOne))), J(pw.Base));
                case Call { Op: ElementwiseFunction ef } c:
                    return Scale(ef.Derivative(c.Arg), J(c.Arg));
                case Call { Op: var op } c when ReferenceEquals(op, Functions.Softmax):
                    return E.Mul(E.Add(Diag(c), E.Neg(E.Mul(c, E.T(c)))), J(c.Arg));
                case Call { Op: var op } c when ReferenceEquals(op, Functions.Diag) && c.Arg.Shape.IsSquare:
                    break;
            }
            throw new NablaException(ErrorCodes.Unsupported,
                $"the Jacobian of {Printing.TextPrinter.PrintResult(e)} with respect to {x.Name} needs a tensor form; not supported yet");
        }

        private Expr? Sum(Expr? a, Expr? b) => a is null ? b : b is null ? a : E.Add(a, b);

        /// <summary>Product rule over a canonical product: scalar factors scale, the matrix chain ends in the vector.</summary>
        private Expr Product(Mul m)
        {
            var terms = new List<Expr>();
            for (int i = 0; i < m.Factors.Count; i++)
            {
                var fi = m.Factors[i];
                if (Jn(fi) is not { } ji) continue;
                var others = m.Factors.Where((_, k) => k != i).ToList();
                if (fi.Shape.IsScalar)
                {
                    // (rest) * J(s): rest is a vector, J(s) a row.
                    var rest = others.Count == 1 ? others[0] : new Mul(others);
                    terms.Add(x.Shape.IsScalar ? E.Mul(ji, rest) : E.Mul(rest, ji));
                    continue;
                }
                if (i != m.Factors.Count - 1 || fi.Shape.Kind != ShapeKind.Vector)
                    throw new NablaException(ErrorCodes.Unsupported,
                        $"the Jacobian of {Printing.TextPrinter.PrintResult(m)} with respect to {x.Name} goes through the matrix {Printing.TextPrinter.PrintResult(fi)}; not supported in matrix form yet");
                terms.Add(others.Count == 0 ? ji : E.Mul([.. others, ji]));
            }
            return terms.Count == 1 ? terms[0] : new Add(terms);
        }
    }
}
