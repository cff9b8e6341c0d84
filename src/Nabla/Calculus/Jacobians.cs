using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Ops;
using Nabla.Simplify;
using Nabla.LinearAlgebra;

namespace Nabla.Calculus;

/// <summary>
/// Jacobians of scalar- and vector-valued expressions with respect to a scalar or a vector, in matrix
/// form, by forward accumulation over the canonical form: J(A*u) = A*J(u), J(f(u)) = diag(f'(u))*J(u),
/// J(s*v) = v*J(s) + s*J(v); a scalar subexpression's Jacobian is its gradient transposed (reverse mode).
/// The Hessian is the Jacobian of the gradient.
/// </summary>
public static partial class Jacobians
{
    /// <summary>The Jacobian of <paramref name="f"/> with respect to <paramref name="x"/> in matrix form, simplified (a scalar's Jacobian is its gradient).</summary>
    public static Expr Jacobian(Expr f, Var x)
    {
        // A row objective u' has the Jacobian of its column u (contract 4: the unit axis of [1, m] ++ T dropped).
        if (f.Shape.Kind == ShapeKind.Row) f = Simplifier.Canonical(E.T(f));
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

    /// <summary>The Hessian of the scalar <paramref name="f"/> with respect to <paramref name="x"/>: the Jacobian of the gradient, simplified.</summary>
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

    private sealed partial class Forward(Var x)
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
                case Call { Op.IsLinear: false, Args.Count: 1 } c when c.Op is not ElementwiseFunction && c.Arg.Shape.Kind == ShapeKind.Vector && c.Shape.Kind == ShapeKind.Vector:
                {
                    // The chain rule with the op's own Jacobian, read off its differential rule: d f(u) = L(du) gives ∂f/∂u = ∂L/∂du.
                    var du = new Var("\u2202U", c.Arg.Shape);
                    return E.Mul(Jacobian(c.Op.Differential(c, du), du), J(c.Arg));
                }
                case Call { Op: var op } c when ReferenceEquals(op, Functions.Diag) && c.Arg.Shape.IsSquare:
                    try
                    {
                        return J(Simplifier.Canonical(DiagonalOf(c.Arg, e)));
                    }
                    catch (NoVectorForm)
                    {
                        return DiagonalJacobian(c.Arg, e);
                    }
            }
            throw new NablaException(ErrorCodes.Unsupported,
                $"the Jacobian of {Printing.TextPrinter.PrintResult(e)} with respect to {x.Name} needs a tensor form; not supported yet");
        }

        /// <summary>A chain that is an outer product l*r' (a column, then a row), as the vectors l and r.</summary>
        private static (Expr L, Expr R)? SplitOuter(List<Expr> chain)
        {
            Shape acc = Shape.Scalar;
            for (int k = 0; k + 1 < chain.Count; k++)
            {
                acc = k == 0 ? chain[0].Shape : new Shape(acc.Rows, chain[k].Shape.Cols);
                if (acc.Kind == ShapeKind.Vector)
                    return (Chain(chain.Take(k + 1).ToList())!, Simplifier.Canonical(E.T(Chain(chain.Skip(k + 1).ToList())!)));
            }
            return null;
        }

        /// <summary>M.*(l*r') = diag(l)*M*diag(r), the form of a Hadamard product with an outer product that multiplies a vector.</summary>
        private static Expr? HadamardWithOuter(Elementwise w)
        {
            foreach (var (outer, other) in new[] { (w.Left, w.Right), (w.Right, w.Left) })
            {
                if (outer is not Mul om) continue;
                var scalars = om.Factors.Where(f => f.Shape.IsScalar).ToList();
                if (SplitOuter(om.Factors.Where(f => !f.Shape.IsScalar).ToList()) is not var (l, r)) continue;
                var d = E.Mul(E.Call(Functions.Diag, l), other, E.Call(Functions.Diag, r));
                return scalars.Count == 0 ? d : E.Mul([.. scalars, d]);
            }
            return null;
        }

        private Expr? Sum(Expr? a, Expr? b) => a is null ? b : b is null ? a : E.Add(a, b);

        /// <summary>
        /// Product rule over a canonical product L*F*R (scalar factors scale): the term of each factor F that
        /// depends on x, with the others held fixed. The chain's result is a vector, so R (if any) is a vector
        /// r, a scalar, or F is a row u' between a vector l = L and a vector r = R.
        /// </summary>
        private Expr Product(Mul m)
        {
            var terms = new List<Expr>();
            var chain = m.Factors.Where(f => !f.Shape.IsScalar).ToList();
            for (int i = 0; i < m.Factors.Count; i++)
            {
                var fi = m.Factors[i];
                if (!Depends(fi)) continue;
                var scalars = m.Factors.Where((f, k) => k != i && f.Shape.IsScalar).ToList();
                if (fi.Shape.IsScalar)
                {
                    // (rest) * J(s): rest is a vector, J(s) a row.
                    var others = m.Factors.Where((_, k) => k != i).ToList();
                    var rest = others.Count == 1 ? others[0] : new Mul(others);
                    var ji = J(fi);
                    terms.Add(x.Shape.IsScalar ? E.Mul(ji, rest) : E.Mul(rest, ji));
                    continue;
                }
                int at = m.Factors.Take(i).Count(f => !f.Shape.IsScalar); // by position: a factor may repeat (x*x'*x)
                var left = chain.Take(at).ToList();
                var right = chain.Skip(at + 1).ToList();
                var term = ChainTerm(left, fi, right, m);
                terms.Add(scalars.Count == 0 ? term : E.Mul([.. scalars, term]));
            }
            return terms.Count == 1 ? terms[0] : new Add(terms);
        }

        private static Expr? Chain(List<Expr> factors) => factors.Count switch { 0 => null, 1 => factors[0], _ => new Mul(factors) };

        private static Expr Prepend(List<Expr> left, Expr j) => left.Count == 0 ? j : E.Mul([.. left, j]);

        /// <summary>The Jacobian of the chain L*F*R through F alone.</summary>
        private Expr ChainTerm(List<Expr> left, Expr f, List<Expr> right, Expr whole)
        {
            var r = Chain(right);
            if (r is null) return Prepend(left, J(f)); // F is the chain's last, a vector
            if (f.Shape.Kind == ShapeKind.Vector)
            {
                // L*u*R with R a scalar (a row times ... a vector): R*L*J(u).
                if (!r.Shape.IsScalar) throw TensorForm(whole, f);
                return E.Mul([r, .. left, J(f)]);
            }
            if (f.Shape.Kind == ShapeKind.Row)
            {
                // l*u'*r = l*r'*u: J = L*r'*J(u).
                if (r.Shape.Kind != ShapeKind.Vector) throw TensorForm(whole, f);
                return E.Mul([.. left, E.T(r), J(Simplifier.Canonical(E.T(f)))]);
            }
            // A matrix F(x) times the vector r (held fixed): L * J(F*ρ) with ρ = r.
            if (r.Shape.Kind != ShapeKind.Vector) throw TensorForm(whole, f);
            return Prepend(left, MatrixTimesFixed(f, r, whole));
        }

        private int _placeholders;

        /// <summary>A variable standing for a vector held fixed while differentiating (its name cannot be written).</summary>
        private Var Placeholder(Shape s) => new($"#rho{_placeholders++}", s);

        /// <summary>The Jacobian of F(x)*r with the vector r held fixed, for the matrix forms that have one.</summary>
        private Expr MatrixTimesFixed(Expr f, Expr r, Expr whole)
        {
            var rho = Placeholder(r.Shape);
            f = InverseInside(f);
            switch (f)
            {
                case Call { Op: var op } c when ReferenceEquals(op, Functions.Diag) && c.Arg.Shape.Kind == ShapeKind.Vector:
                    return E.Mul(Diag(r), J(c.Arg)); // diag(u)*r = r.*u
                case Call { Op: var op } c when ReferenceEquals(op, Functions.Inv):
                {
                    // d(inv(M)*r) = -inv(M)*dM*inv(M)*r: J = -inv(M)*J(M*σ) with σ = inv(M)*r held fixed.
                    var sigma = Placeholder(r.Shape);
                    var inner = J(Simplifier.Canonical(E.Mul(c.Arg, sigma)));
                    return E.Neg(E.Mul(f, inner.Replace(sigma, E.Mul(f, r))));
                }
                case MatPow { K: > 0 } mp:
                {
                    // d(M^k*r) = Σ_i M^i*dM*M^(k-1-i)*r.
                    var parts = new List<Expr>();
                    for (int i = 0; i < mp.K; i++)
                    {
                        var sigma = Placeholder(r.Shape);
                        var inner = J(Simplifier.Canonical(E.Mul(mp.A, sigma)));
                        int after = mp.K - 1 - i;
                        Expr fixedRight = after == 0 ? r : E.Mul(after == 1 ? mp.A : new MatPow(mp.A, after), r);
                        var t = inner.Replace(sigma, fixedRight);
                        parts.Add(i == 0 ? t : E.Mul(i == 1 ? mp.A : new MatPow(mp.A, i), t));
                    }
                    return parts.Count == 1 ? parts[0] : new Add(parts);
                }
                case Add or Fill or Mul or Transpose or Elementwise or Call or Power:
                    // Distribute the fixed vector into F and differentiate that vector expression.
                    if (DistributeFixed(f, rho) is { } distributed)
                        return J(Simplifier.Canonical(distributed)).Replace(rho, r);
                    // Else F is entry-wise in something that depends on x: d(F)*r = (F' .* dM)*r.
                    return EntrywiseTimesFixed(f, r, whole) ?? throw TensorForm(whole, f);
            }
            throw TensorForm(whole, f);
        }

        /// <summary>The Jacobian of F*r (r fixed) for an F built entry-wise: a function, a power or a product of entries.</summary>
        private Expr? EntrywiseTimesFixed(Expr f, Expr r, Expr whole)
        {
            switch (f)
            {
                case Add a:
                {
                    var parts = new List<Expr>();
                    foreach (var t in a.Terms.Where(Depends))
                        parts.Add((DistributeFixed(t, Placeholder(r.Shape)) is not null ? MatrixTimesFixed(t, r, whole) : EntrywiseTimesFixed(t, r, whole))
                                  ?? throw TensorForm(whole, t));
                    return parts.Count == 0 ? null : SumOf(parts);
                }
                case Call { Op: ElementwiseFunction ef } c:
                    return HadamardTimesFixed(ef.Derivative(c.Arg), c.Arg, r, whole);
                case Power { Exponent: var p } pw when !Depends(p):
                    return HadamardTimesFixed(E.Mul(p, E.Pow(pw.Base, E.Add(p, Num.MinusOne))), pw.Base, r, whole);
                case Elementwise { Op: ElementwiseOp.Mul } w when !w.Left.Shape.IsScalar && !w.Right.Shape.IsScalar:
                {
                    var parts = new List<Expr>();
                    if (Depends(w.Left)) parts.Add(HadamardTimesFixed(w.Right, w.Left, r, whole));
                    if (Depends(w.Right)) parts.Add(HadamardTimesFixed(w.Left, w.Right, r, whole));
                    return SumOf(parts);
                }
            }
            return null;
        }

        /// <summary>The Jacobian of (P .* M)*r through M alone (P and r fixed): dM as a sum of outer products and diagonals.</summary>
        private Expr HadamardTimesFixed(Expr p, Expr m, Expr r, Expr whole)
        {
            Budget.Check();
            switch (m)
            {
                case Add a:
                    return SumOf(a.Terms.Where(Depends).Select(t => HadamardTimesFixed(p, t, r, whole)).ToList());
                case Call { Op: ElementwiseFunction ef } c:
                    return HadamardTimesFixed(E.Had(p, ef.Derivative(c.Arg)), c.Arg, r, whole);
                case Power { Exponent: var k } pw when !Depends(k):
                    return HadamardTimesFixed(E.Had(p, E.Mul(k, E.Pow(pw.Base, E.Add(k, Num.MinusOne)))), pw.Base, r, whole);
                case Elementwise { Op: ElementwiseOp.Mul } w when !w.Left.Shape.IsScalar && !w.Right.Shape.IsScalar:
                {
                    var parts = new List<Expr>();
                    if (Depends(w.Left)) parts.Add(HadamardTimesFixed(E.Had(p, w.Right), w.Left, r, whole));
                    if (Depends(w.Right)) parts.Add(HadamardTimesFixed(E.Had(p, w.Left), w.Right, r, whole));
                    return SumOf(parts);
                }
                case Elementwise { Op: ElementwiseOp.Mul } w:
                    return HadamardTimesFixed(p, E.Mul(w.Left, w.Right), r, whole);
                case Fill fill:
                    // P .* (ds*ones) = ds*P.
                    return E.Mul(E.Mul(p, r), J(fill.Value));
                case Call { Op: var op, Args: [var u] } when ReferenceEquals(op, Functions.Diag) && u.Shape.Kind == ShapeKind.Vector:
                    // (P .* diag(du))*r = diag(P).*r.*du.
                    return E.Mul(E.Call(Functions.Diag, E.Had(E.Call(Functions.Diag, p), r)), J(u));
                case Mul mul:
                {
                    var scalars = mul.Factors.Where(g => g.Shape.IsScalar).ToList();
                    var chain = mul.Factors.Where(g => !g.Shape.IsScalar).ToList();
                    var k = Chain(chain)!;
                    var parts = new List<Expr>();
                    for (int i = 0; i < mul.Factors.Count; i++)
                    {
                        var g = mul.Factors[i];
                        if (!g.Shape.IsScalar || !Depends(g)) continue;
                        var others = mul.Factors.Where((h, j) => j != i).ToList();
                        parts.Add(E.Mul(E.Mul(E.Had(p, Chain(others)!), r), J(g)));
                    }
                    if (Depends(k))
                    {
                        Expr t;
                        if (chain.Count == 1) t = HadamardTimesFixed(p, k, r, whole);
                        else if (SplitOuter(chain) is var (l, w))
                        {
                            // (P .* (dl*w'))*r = diag(P*(w.*r))*dl and (P .* (l*dw'))*r = diag(l)*P*diag(r)*dw.
                            var ts = new List<Expr>();
                            if (Depends(l)) ts.Add(E.Mul(E.Call(Functions.Diag, E.Mul(p, E.Had(w, r))), J(l)));
                            if (Depends(w)) ts.Add(E.Mul(E.Call(Functions.Diag, l), p, E.Call(Functions.Diag, r), J(w)));
                            t = SumOf(ts);
                        }
                        else throw TensorForm(whole, m);
                        parts.Add(scalars.Count == 0 ? t : E.Mul([.. scalars, t]));
                    }
                    return SumOf(parts);
                }
            }
            throw TensorForm(whole, m);
        }

        /// <summary>F*ρ written so that no matrix depending on x is left in front of a vector: sums and scalings distributed.</summary>
        private Expr? DistributeFixed(Expr f, Var rho)
        {
            switch (f)
            {
                case Add a:
                    return new Add(a.Terms.Select(t => DistributeFixed(t, rho) ?? E.Mul(t, rho)).ToList());
                case Fill:
                    return E.Mul(f, rho);
                case Mul:
                    return E.Mul(f, rho);
                case Elementwise { Op: ElementwiseOp.Mul } w when w.Left.Shape.IsScalar || w.Right.Shape.IsScalar:
                    return E.Mul(f, rho);
                case Elementwise { Op: ElementwiseOp.Mul } w when HadamardWithOuter(w) is { } product:
                    return E.Mul(product, rho);
                case Transpose { X: Call { Op: var op } } when ReferenceEquals(op, Functions.Diag):
                    return E.Mul(f, rho);
            }
            return Depends(f) ? null : E.Mul(f, rho);
        }

        private NablaException TensorForm(Expr whole, Expr f) => new(ErrorCodes.Unsupported,
            $"the Jacobian of {Printing.TextPrinter.PrintResult(whole)} with respect to {x.Name} goes through the matrix {Printing.TextPrinter.PrintResult(f)}; not supported in matrix form yet");
    }
}
