using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Ops;
using Nabla.Printing;
using Nabla.LinearAlgebra;

namespace Nabla.Numerics;

/// <summary>
/// The reference interpreter: evaluates a bound expression at given values, each distinct subexpression
/// once. Non-finite results and singular matrices are reported as <c>domain_error</c>, never returned.
/// </summary>
public sealed class Evaluator
{
    private readonly IReadOnlyDictionary<string, Tensor> _values;
    private readonly Dictionary<Dim, int> _sizes = [];
    private readonly Dictionary<Expr, Tensor> _memo = [];

    /// <summary>An evaluator at <paramref name="values"/>, by variable name: each variable's sizes are bound from its value, and a symmetric one is checked.</summary>
    public Evaluator(IReadOnlyDictionary<string, Tensor> values, IEnumerable<Var> variables)
    {
        _values = values;
        foreach (var v in variables)
        {
            if (!values.TryGetValue(v.Name, out var t)) continue;
            if (v.Symmetric) CheckSymmetric(v, t);
            if (v.Shape.Rows is { } r) Bind(r, t.Rows, v);
            if (v.Shape.Cols is { } c) Bind(c, t.Cols, v);
        }
    }

    /// <summary>
    /// A variable declared symmetric must have a symmetric value (to a relative 1e-10 of its largest entry):
    /// the derivatives by it assume A' = A, and a non-symmetric value would give silently wrong numbers.
    /// </summary>
    public static void CheckSymmetric(Var v, Tensor t)
    {
        if (t.Kind != ShapeKind.Matrix || t.Rows != t.Cols)
            throw new NablaException(ErrorCodes.DomainError, $"{v.Name} is declared symmetric, but its value is {t.Rows}×{t.Cols}, not square");
        double scale = 0;
        foreach (var x in t.Data) scale = Math.Max(scale, Math.Abs(x));
        double tol = 1e-10 * scale;
        for (int i = 0; i < t.Rows; i++)
            for (int j = i + 1; j < t.Cols; j++)
                if (!(Math.Abs(t[i, j] - t[j, i]) <= tol))
                    throw new NablaException(ErrorCodes.DomainError,
                        $"{v.Name} is declared symmetric, but its value is not: {v.Name}[{i + 1},{j + 1}] = {t[i, j]:G6} and {v.Name}[{j + 1},{i + 1}] = {t[j, i]:G6}");
    }

    /// <summary>The value of <paramref name="e"/> at <paramref name="values"/> (the variables default to those of the expression).</summary>
    public static Tensor Evaluate(Expr e, IReadOnlyDictionary<string, Tensor> values, IEnumerable<Var>? variables = null)
    {
        variables ??= ExprQueries.Variables(e);
        return new Evaluator(values, variables).Evaluate(e);
    }

    private void Bind(Dim d, int size, Var v)
    {
        if (d.IsKnown && d.Size != size)
            throw new NablaException(ErrorCodes.ShapeError, $"{v.Name} is {v.Shape.Describe()}, but its value has size {size} where {d.Size} is expected");
        if (_sizes.TryGetValue(d, out int s) && s != size)
            throw new NablaException(ErrorCodes.ShapeError, $"the values disagree on the size {d}: {s} and {size} (at {v.Name})");
        _sizes[d] = size;
    }

    /// <summary>The size of a dimension at the given values.</summary>
    public int SizeOf(Dim d) => Size(d);

    private int Size(Dim d)
    {
        if (d.IsKnown) return d.Size;
        if (_sizes.TryGetValue(d, out int s)) return s;
        throw new NablaException(ErrorCodes.ShapeError, $"the size {d} is not fixed by any given value; give a value for a variable of that size");
    }

    private (int, int) Sizes(Shape s) => (s.Rows is { } r ? Size(r) : 1, s.Cols is { } c ? Size(c) : 1);

    /// <summary>The most entries one value may have (2^25, 256 MiB of doubles): a larger one is refused before it is allocated.</summary>
    public const long MaxEntries = 1L << 25;

    /// <summary>The value of <paramref name="e"/> at this evaluator's values, memoised by subexpression.</summary>
    public Tensor Evaluate(Expr e)
    {
        if (_memo.TryGetValue(e, out var t)) return t;
        if (!e.Shape.IsScalar)
        {
            var (rows, cols) = Sizes(e.Shape);
            if ((long)rows * cols >= 4096) Budget.CheckNow(); // a value this large is work enough to read the clock for
            else Budget.Check();
            if ((long)rows * cols > MaxEntries)
                throw new NablaException(ErrorCodes.LimitExceeded,
                    $"{Clip(TextPrinter.Print(e))} would be {rows:N0}×{cols:N0}, over the limit of {MaxEntries:N0} entries a value");
        }
        else Budget.Check();
        t = Compute(e);
        foreach (var v in t.Data)
            if (!double.IsFinite(v))
                throw new NablaException(ErrorCodes.DomainError,
                    $"{Clip(TextPrinter.Print(e))} is not finite at the given values (an overflow, a division by zero or a value outside a function's domain)");
        _memo[e] = t;
        return t;
    }

    /// <summary>
    /// A product with a scalar factor det(M) (or det(M)^k, k ≥ 1) and a factor inv(M) or inv(M)', rewritten with
    /// adj(M) or adj(M)' in their place (one det fewer); null when the product has no such pair.
    /// </summary>
    internal static Expr? AdjugateForm(Mul m)
    {
        for (int i = 0; i < m.Factors.Count; i++)
        {
            var (det, k) = m.Factors[i] switch
            {
                Call { Op: var o } c when ReferenceEquals(o, Functions.Det) => (c, 1.0),
                Power { Base: Call { Op: var o } c, Exponent: Num { Value: var e } } when ReferenceEquals(o, Functions.Det) && e >= 1 && e == Math.Floor(e) => (c, e),
                _ => ((Call?)null, 0.0),
            };
            if (det is null) continue;
            for (int j = 0; j < m.Factors.Count; j++)
            {
                var (inv, transposed) = m.Factors[j] switch
                {
                    Call { Op: var o } c when ReferenceEquals(o, Functions.Inv) => (c, false),
                    Transpose { X: Call { Op: var o } c } when ReferenceEquals(o, Functions.Inv) => (c, true),
                    _ => ((Call?)null, false),
                };
                if (inv is null || DetQuotient(det.Arg, inv.Arg) is not { } rest) continue;
                Expr adj = new Call(Functions.Adj, inv.Arg);
                var factors = m.Factors.ToList();
                factors[j] = transposed ? new Transpose(adj) : adj;
                // det(P)^k*inv(M) = det(P)^(k-1) * det(P)/det(M) * adj(M).
                var left = new List<Expr>();
                if (k > 1) left.Add(k == 2 ? det : new Power(det, new Num(k - 1)));
                if (rest is not Num { Value: 1 }) left.Add(rest);
                factors.RemoveAt(i);
                factors.InsertRange(0, left);
                return factors.Count == 1 ? factors[0] : new Mul(factors);
            }
        }
        return null;
    }

    /// <summary>det(P)/det(M) as a product of determinants without division, when M is a factor of P; else null.</summary>
    private static Expr? DetQuotient(Expr p, Expr m)
    {
        if (p.Equals(m)) return Num.One;
        if (p is Transpose t) return DetQuotient(t.X, m);
        if (p is MatPow { K: >= 1 } mp && DetQuotient(mp.A, m) is { } q)
            return mp.K == 1 ? q : new Mul([q, new Power(new Call(Functions.Det, mp.A), new Num(mp.K - 1))]);
        if (p is Mul chain && chain.Factors.All(f => f.Shape.IsSquare))
            for (int i = 0; i < chain.Factors.Count; i++)
                if (DetQuotient(chain.Factors[i], m) is { } qi)
                {
                    var others = chain.Factors.Where((_, k) => k != i).Select(f => (Expr)new Call(Functions.Det, f)).ToList();
                    if (qi is not Num { Value: 1 }) others.Add(qi);
                    return others.Count == 0 ? Num.One : others.Count == 1 ? others[0] : new Mul(others);
                }
        return null;
    }

    private static string Clip(string s) => s.Length <= 60 ? s : s[..57] + "...";

    private Tensor Compute(Expr e)
    {
        switch (e)
        {
            case Num n: return Tensor.Scalar(n.Value);
            case Var v:
                if (!_values.TryGetValue(v.Name, out var val))
                    throw new NablaException(ErrorCodes.BadRequest, $"no value was given for {v.Name}");
                return val;
            case Fill f:
            {
                var (r, c) = Sizes(f.Shape);
                return Tensor.Filled(f.Shape.Kind, r, c, Evaluate(f.Value).ScalarValue);
            }
            case Eye i: return Tensor.Identity(Size(i.N));
            case Neg g: return Evaluate(g.X).Map(x => -x);
            case Add a:
            {
                var acc = (double[])Evaluate(a.Terms[0]).Data.Clone();
                for (int k = 1; k < a.Terms.Count; k++)
                {
                    var d = Evaluate(a.Terms[k]).Data;
                    for (int i = 0; i < acc.Length; i++) acc[i] += d[i];
                }
                return Evaluate(a.Terms[0]).Like(acc);
            }
            case Mul m:
            {
                // det(M)*…*inv(M) is adj(M): evaluated so, it holds where M is singular (the gradient of det).
                if (AdjugateForm(m) is { } adjugate) return Evaluate(adjugate);
                var acc = Evaluate(m.Factors[0]);
                for (int k = 1; k < m.Factors.Count; k++) acc = DenseOps.MatMul(acc, Evaluate(m.Factors[k]));
                return acc;
            }
            case Div d:
            {
                double s = Evaluate(d.Divisor).ScalarValue;
                if (s == 0) throw new NablaException(ErrorCodes.DomainError, $"division by zero: {Clip(TextPrinter.Print(d.Divisor))} is 0");
                return DenseOps.Scale(Evaluate(d.X), 1 / s);
            }
            case Elementwise w: return Broadcast(Evaluate(w.Left), Evaluate(w.Right), w.Op == ElementwiseOp.Mul ? (x, y) => x * y : (x, y) => x / y);
            case Power p:
            {
                double k = Evaluate(p.Exponent).ScalarValue;
                return Evaluate(p.Base).Map(x => k == 2 ? x * x : Math.Pow(x, k));
            }
            case MatPow mp:
            {
                var a = Evaluate(mp.A);
                if (mp.K < 0) a = DenseOps.Inverse(a, TextPrinter.Print(mp.A));
                var result = Tensor.Identity(a.Rows);
                for (int k = 0; k < Math.Abs(mp.K); k++) result = DenseOps.MatMul(result, a);
                return result;
            }
            case Transpose tr: return Evaluate(tr.X).Transposed();
            case Call c: return c.Args.Count == 1 ? c.Op.Evaluate(Evaluate(c.Arg)) : c.Op.Evaluate(c.Args.Select(Evaluate).ToList());
            default: throw new InvalidOperationException(e.GetType().Name);
        }
    }

    private static Tensor Broadcast(Tensor a, Tensor b, Func<double, double, double> f)
    {
        if (a.Kind == ShapeKind.Scalar) { double s = a.Data[0]; return b.Map(y => f(s, y)); }
        if (b.Kind == ShapeKind.Scalar) { double s = b.Data[0]; return a.Map(x => f(x, s)); }
        var d = new double[a.Length];
        for (int i = 0; i < d.Length; i++) d[i] = f(a.Data[i], b.Data[i]);
        return a.Like(d);
    }
}
