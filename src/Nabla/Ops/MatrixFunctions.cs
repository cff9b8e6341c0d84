using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.LinearAlgebra;

namespace Nabla.Ops;

/// <summary>A function given by its parts; for the matrix functions and reductions, one of a kind each.</summary>
public sealed class MatrixFunction(
    string name, Signature signature, string summary, Func<string, string> latex,
    Func<Tensor, Tensor> kernel, Func<Call, Expr, Expr> differential, string ruleName, string ruleText,
    Func<Call, Expr, Expr>? transpose = null, PointDomain points = PointDomain.Any,
    string? superscript = null, string? transposedSuperscript = null, Func<Interval, Interval>? image = null,
    Func<Expr, Expr?>? rewrite = null)
    : FunctionOp(name, signature, summary)
{
    /// <summary>The function's own identities (det(X') = det(X), logdet(I) = 0, …), where it states any.</summary>
    public override Expr? Rewrite(IReadOnlyList<Expr> args) => args.Count == 1 ? rewrite?.Invoke(args[0]) : null;

    /// <summary>The image the function states for the argument's interval; <see cref="Interval.All"/> where it states none.</summary>
    public override Interval Image(Interval argument) => image?.Invoke(argument) ?? Interval.All;
    /// <summary>The superscript LaTeX writes on the argument (-1 for inv), or null.</summary>
    public override string? LatexSuperscript => superscript;
    /// <summary>The superscript of the transposed call (-T for inv), or null.</summary>
    public override string? LatexTransposedSuperscript => transposedSuperscript;
    /// <summary>Where random points for the argument are drawn (SPD for inv, det and logdet).</summary>
    public override PointDomain PointDomain => points;
    /// <summary>The call in LaTeX, from the given form.</summary>
    public override string Latex(string arg) => latex(arg);
    /// <summary>The numeric kernel given.</summary>
    public override Tensor Evaluate(Tensor arg) => kernel(arg);
    /// <summary>The differential given, linear in dX.</summary>
    public override Expr Differential(Call node, Expr dArg) => differential(node, dArg);
    /// <summary>The transpose of a linear function's differential; null for a nonlinear one.</summary>
    public override Expr? TransposeLinear(Call node, Expr g) => transpose?.Invoke(node, g);
    /// <summary>Whether a transpose was given: tr, diag, sum and mean.</summary>
    public override bool IsLinear => transpose is not null;
    /// <summary>The rule's name, as given.</summary>
    public override string RuleName => ruleName;
    /// <summary>The rule, as given.</summary>
    public override string RuleText => ruleText;
}

public static partial class Functions
{
    /// <summary>tr, the trace, with d tr(X) = tr(dX).</summary>
    public static readonly MatrixFunction Tr = new("tr", Signature.SquareToScalar, "trace: the sum of the diagonal",
        a => $"\\operatorname{{tr}}\\left({a}\\right)",
        t =>
        {
            double s = 0;
            for (int i = 0; i < t.Rows; i++) s += t[i, i];
            return Tensor.Scalar(s);
        },
        (c, dx) => E.Call(Tr!, dx),
        "trace-rule", "d tr(X) = tr(dX)",
        transpose: (c, g) => E.Mul(g, new Eye(c.Arg.Shape.Rows!.Value)));

    /// <summary>det, the determinant, with d det(X) = det(X) tr(inv(X) dX).</summary>
    public static readonly MatrixFunction Det = new("det", Signature.SquareToScalar, "determinant",
        a => $"\\det\\left({a}\\right)",
        t => Tensor.Scalar(DenseOps.Det(t)),
        (c, dx) => E.Mul(c, E.Call(Tr, E.Mul(E.Call(Inv!, c.Arg), dx))),
        "det-rule", "d det(X) = det(X) tr(inv(X) dX)", points: PointDomain.Spd,
        rewrite: x => x switch { Transpose t => E.Call(Det!, t.X), Eye => E.N(1), _ when PrimaryRules.IsZero(x) => E.N(0), _ => null });

    /// <summary>logdet, the log of a positive determinant, with d logdet(X) = tr(inv(X) dX).</summary>
    public static readonly MatrixFunction Logdet = new("logdet", Signature.SquareToScalar, "log of the determinant (the determinant must be positive)",
        a => $"\\log\\det\\left({a}\\right)",
        t =>
        {
            var (l, sign) = DenseOps.LogDet(t, "the argument of logdet");
            if (sign <= 0) throw new NablaException(ErrorCodes.DomainError, "logdet of a matrix whose determinant is negative");
            return Tensor.Scalar(l);
        },
        (c, dx) => E.Call(Tr, E.Mul(E.Call(Inv!, c.Arg), dx)),
        "logdet-rule", "d logdet(X) = tr(inv(X) dX)", points: PointDomain.Spd,
        rewrite: x => x switch { Transpose t => E.Call(Logdet!, t.X), Eye => E.N(0), _ => null });

    /// <summary>inv, the matrix inverse, with d inv(X) = -inv(X) dX inv(X).</summary>
    public static readonly MatrixFunction Inv = new("inv", Signature.SquareToSquare, "matrix inverse",
        a => $"{{{a}}}^{{-1}}",
        t => DenseOps.Inverse(t, "the argument of inv"),
        (c, dx) => E.Neg(E.Mul(c, dx, c)),
        "inverse-rule", "d inv(X) = -inv(X) dX inv(X)", points: PointDomain.Spd,
        superscript: "-1", transposedSuperscript: "-T",
        rewrite: x => x switch
        {
            Transpose t => E.T(E.Call(Inv!, t.X)),                       // inv(X') = inv(X)'
            Call { Op: var op } i when ReferenceEquals(op, Inv) => i.Arg,  // inv(inv(X)) = X
            Eye => x,
            // inv(c*M) = inv(M)/c for the scalar factors c
            Mul m when m.Factors.Any(f => f.Shape.IsScalar) && m.Factors.Any(f => !f.Shape.IsScalar) =>
                E.Mul([.. m.Factors.Where(f => f.Shape.IsScalar).Select(f => E.Pow(f, -1)),
                    E.Call(Inv!, m.Factors.Count(f => !f.Shape.IsScalar) == 1 ? m.Factors.Single(f => !f.Shape.IsScalar) : E.Mul([.. m.Factors.Where(f => !f.Shape.IsScalar)]))]),
            _ => null,
        });

    /// <summary>adj, the adjugate, with d adj(X) = tr(inv(X) dX) adj(X) - inv(X) dX adj(X).</summary>
    public static readonly MatrixFunction Adj = new("adj", Signature.SquareToSquare,
        "adjugate: the transposed cofactor matrix, det(X)*inv(X) where X is invertible, defined for every square X",
        a => $"\\operatorname{{adj}}\\left({a}\\right)",
        DenseOps.Adjugate,
        (c, dx) => E.Add(E.Mul(E.Call(Tr, E.Mul(E.Call(Inv!, c.Arg), dx)), c), E.Neg(E.Mul(E.Call(Inv!, c.Arg), dx, c))),
        "adjugate-rule", "d adj(X) = tr(inv(X) dX) adj(X) - inv(X) dX adj(X)");

    /// <summary>diag, a vector to its diagonal matrix or a square matrix to its diagonal; linear.</summary>
    public static readonly MatrixFunction Diag = new("diag", Signature.Diag, "vector to diagonal matrix, or square matrix to the vector of its diagonal",
        a => $"\\operatorname{{diag}}\\left({a}\\right)",
        t =>
        {
            if (t.Kind == ShapeKind.Vector)
            {
                var m = Tensor.Zeros(ShapeKind.Matrix, t.Rows, t.Rows);
                for (int i = 0; i < t.Rows; i++) m[i, i] = t.Data[i];
                return m;
            }
            var v = new double[t.Rows];
            for (int i = 0; i < t.Rows; i++) v[i] = t[i, i];
            return Tensor.Vector(v);
        },
        (c, dx) => E.Call(Diag!, dx),
        "linearity", "d diag(X) = diag(dX)",
        transpose: (c, g) => E.Call(Diag!, g),
        image: a => a.Hull(new Interval(0, 0)), // a vector's diagonal matrix has zeros too (a matrix's diagonal: within that)
        rewrite: x => x switch
        {
            // diag(u*v') = u.*v: the diagonal of an outer product
            Mul { Factors.Count: 2 } o when o.Factors[0].Shape.Kind == ShapeKind.Vector && o.Factors[1].Shape.Kind == ShapeKind.Row =>
                E.Had(o.Factors[0], E.T(o.Factors[1])),
            // diag(diag(v)) = v for a vector v
            Call { Op: var op } d when ReferenceEquals(op, Diag) && d.Arg.Shape.Kind == ShapeKind.Vector => d.Arg,
            _ when PrimaryRules.IsZero(x) => x.Shape.Kind == ShapeKind.Vector
                ? E.Fill(E.N(0), Shape.Matrix(x.Shape.Rows!.Value, x.Shape.Rows!.Value))
                : E.Fill(E.N(0), Shape.Vector(x.Shape.Rows!.Value)),
            _ => null,
        });

    /// <summary>sum, the sum of all entries; linear.</summary>
    public static readonly MatrixFunction Sum = new("sum", Signature.AnyToScalar, "sum of all entries",
        a => $"\\operatorname{{sum}}\\left({a}\\right)",
        t =>
        {
            double s = 0;
            foreach (var v in t.Data) s += v;
            return Tensor.Scalar(s);
        },
        (c, dx) => E.Call(Sum!, dx),
        "linearity", "d sum(X) = sum(dX)",
        transpose: (c, g) => E.Fill(g, c.Arg.Shape),
        image: a => a.IsPositive ? Interval.Positive : a.IsNonNegative ? Interval.NonNegative : a.IsNegative ? Interval.Positive.Negate() : a.IsNonPositive ? Interval.NonNegative.Negate() : Interval.All,
        // sum(0) = 0, the sum of a scalar is itself, sum(X') = sum(X)
        rewrite: x => PrimaryRules.IsZero(x) ? E.N(0) : x.Shape.IsScalar ? x : x is Transpose t ? E.Call(Sum!, t.X) : null);

    /// <summary>mean(X) = sum(X)/N with N the number of entries; its gradient is the fill g/N, N written sum(ones) (the language has no size as a number).</summary>
    public static readonly MatrixFunction Mean = new("mean", Signature.AnyToScalar, "mean of all entries",
        a => $"\\operatorname{{mean}}\\left({a}\\right)",
        t =>
        {
            double s = 0;
            foreach (var v in t.Data) s += v;
            return Tensor.Scalar(t.Data.Length == 0 ? double.NaN : s / t.Data.Length);
        },
        (c, dx) => E.Call(Mean!, dx),
        "linearity", "d mean(X) = mean(dX)",
        transpose: (c, g) => E.Fill(E.Div(g, E.Call(Sum, E.Fill(E.N(1), c.Arg.Shape))), c.Arg.Shape),
        image: a => a);

    /// <summary>norm2, the Euclidean (Frobenius) norm, with d norm2(X) = &lt;X, dX&gt;/norm2(X).</summary>
    public static readonly MatrixFunction Norm2 = new("norm2", Signature.AnyToScalar, "Euclidean norm (Frobenius for a matrix)",
        a => $"\\left\\|{a}\\right\\|_2",
        t =>
        {
            double s = 0;
            foreach (var v in t.Data) s += v * v;
            return Tensor.Scalar(Math.Sqrt(s));
        },
        (c, dx) => E.Div(E.Inner(c.Arg, dx), c),
        "norm2-rule", "d norm2(X) = <X, dX>/norm2(X)", image: _ => Interval.NonNegative);

    /// <summary>norm1, the sum of absolute values, with d norm1(X) = &lt;sign(X), dX&gt;.</summary>
    public static readonly MatrixFunction Norm1 = new("norm1", Signature.AnyToScalar, "sum of absolute values",
        a => $"\\left\\|{a}\\right\\|_1",
        t =>
        {
            double s = 0;
            foreach (var v in t.Data) s += Math.Abs(v);
            return Tensor.Scalar(s);
        },
        (c, dx) => E.Inner(E.Call(Sign, c.Arg), dx),
        "norm1-rule", "d norm1(X) = <sign(X), dX>", image: _ => Interval.NonNegative);

    /// <summary>softmax, exp(x)/sum(exp(x)) of a vector, with d softmax(x) = (diag(s) - s*s') dx.</summary>
    public static readonly MatrixFunction Softmax = new("softmax", Signature.VectorToVector, "exp(x)/sum(exp(x))",
        a => $"\\operatorname{{softmax}}\\left({a}\\right)",
        t =>
        {
            double mx = t.Data.Length == 0 ? 0 : t.Data.Max();
            var e = t.Data.Select(v => Math.Exp(v - mx)).ToArray();
            double s = e.Sum();
            return Tensor.Vector(e.Select(v => v / s).ToArray());
        },
        // (diag(s) - s s') dx written as s .* dx - s (s' dx): O(n), and its transpose is the same map (J is symmetric).
        (c, dx) => E.Add(E.Had(c, dx), E.Neg(E.Mul(c, E.Mul(E.T(c), dx)))),
        "softmax-rule", "d softmax(x) = (diag(s) - s*s') dx with s = softmax(x)", image: _ => new Interval(0, 1, true, true));

    /// <summary>logsumexp, log(sum(exp(x))) computed stably, with d logsumexp(x) = softmax(x)' dx.</summary>
    public static readonly MatrixFunction Logsumexp = new("logsumexp", Signature.VectorToScalar, "log(sum(exp(x))), computed stably",
        a => $"\\operatorname{{logsumexp}}\\left({a}\\right)",
        t =>
        {
            double mx = t.Data.Length == 0 ? 0 : t.Data.Max();
            return Tensor.Scalar(mx + Math.Log(t.Data.Sum(v => Math.Exp(v - mx))));
        },
        (c, dx) => E.Mul(E.T(E.Call(Softmax, c.Arg)), dx),
        "logsumexp-rule", "d logsumexp(x) = softmax(x)' dx");

    /// <summary>Every function of the language, by name.</summary>
    public static IReadOnlyDictionary<string, FunctionOp> ByName => Registry.Value;

    // Lazy: the ops are static fields of this partial class in several files, whose initialisers run in file order;
    // the table is built at its first use, when every one of them is set.
    private static readonly Lazy<IReadOnlyDictionary<string, FunctionOp>> Registry = new(() => new FunctionOp[]
    {
        Exp, Log, Sin, Cos, Tan, Arcsin, Arccos, Arctan, Tanh, Sqrt, Abs, Sign, Sigmoid, Softplus, Relu, Step,
        Erf, Log1p, Expm1, Cosh, Sinh, Gelu,
        Tr, Det, Logdet, Inv, Adj, Diag, Sum, Mean, Norm2, Norm1, Softmax, Logsumexp,
        Expm!.Frechet, Expm, Logm!.Frechet, Logm, Sqrtm!.Frechet, Sqrtm,
    }.ToDictionary(f => f.Name));

    /// <summary>Other spellings the parser reads as the function they stand for (results print the function's own name): trace for tr.</summary>
    public static readonly IReadOnlyDictionary<string, string> Aliases = new Dictionary<string, string> { ["trace"] = "tr" };

    /// <summary>Names the binder handles itself: dot(x,y), vector(c), matrix(c), eye.</summary>
    public static readonly IReadOnlyList<string> SpecialForms = ["dot", "vector", "matrix", "eye"];

    /// <summary>Every name a call may use: the functions, their aliases and the binder's special forms.</summary>
    public static IEnumerable<string> AllNames => ByName.Keys.Concat(Aliases.Keys).Concat(SpecialForms);
}
