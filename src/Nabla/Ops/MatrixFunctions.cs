using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.LinearAlgebra;

namespace Nabla.Ops;

/// <summary>A function given by its parts; for the matrix functions and reductions, one of a kind each.</summary>
public sealed class MatrixFunction(
    string name, Signature signature, string summary, Func<string, string> latex,
    Func<Tensor, Tensor> kernel, Func<Call, Expr, Expr> adjoint, string ruleName, string ruleText)
    : FunctionOp(name, signature, summary)
{
    public override string Latex(string arg) => latex(arg);
    public override Tensor Evaluate(Tensor arg) => kernel(arg);
    public override Expr Adjoint(Call node, Expr g) => adjoint(node, g);
    public override string RuleName => ruleName;
    public override string RuleText => ruleText;
}

public static partial class Functions
{
    public static readonly MatrixFunction Tr = new("tr", Signature.SquareToScalar, "trace: the sum of the diagonal",
        a => $"\\operatorname{{tr}}\\left({a}\\right)",
        t =>
        {
            double s = 0;
            for (int i = 0; i < t.Rows; i++) s += t[i, i];
            return Tensor.Scalar(s);
        },
        (c, g) => E.Mul(g, new Eye(c.Arg.Shape.Rows!.Value)),
        "trace-rule", "d tr(X) = tr(dX)");

    public static readonly MatrixFunction Det = new("det", Signature.SquareToScalar, "determinant",
        a => $"\\det\\left({a}\\right)",
        t => Tensor.Scalar(DenseOps.Det(t)),
        (c, g) => E.Mul(g, c, E.T(E.Call(Inv!, c.Arg))),
        "det-rule", "d det(X) = det(X) tr(inv(X) dX)");

    public static readonly MatrixFunction Logdet = new("logdet", Signature.SquareToScalar, "log of the determinant (the determinant must be positive)",
        a => $"\\log\\det\\left({a}\\right)",
        t =>
        {
            var (l, sign) = DenseOps.LogDet(t, "the argument of logdet");
            if (sign <= 0) throw new NablaException(ErrorCodes.DomainError, "logdet of a matrix whose determinant is negative");
            return Tensor.Scalar(l);
        },
        (c, g) => E.Mul(g, E.T(E.Call(Inv!, c.Arg))),
        "logdet-rule", "d logdet(X) = tr(inv(X) dX)");

    public static readonly MatrixFunction Inv = new("inv", Signature.SquareToSquare, "matrix inverse",
        a => $"{{{a}}}^{{-1}}",
        t => DenseOps.Inverse(t, "the argument of inv"),
        (c, g) => E.Neg(E.Mul(E.T(c), g, E.T(c))),
        "inverse-rule", "d inv(X) = -inv(X) dX inv(X)");

    public static readonly MatrixFunction Adj = new("adj", Signature.SquareToSquare,
        "adjugate: the transposed cofactor matrix, det(X)*inv(X) where X is invertible, defined for every square X",
        a => $"\\operatorname{{adj}}\\left({a}\\right)",
        DenseOps.Adjugate,
        // <G, d adj(X)> = tr(G' (tr(inv(X) dX) adj(X) - inv(X) dX adj(X))).
        (c, g) => E.Add(E.Mul(E.Inner(g, c), E.T(E.Call(Inv!, c.Arg))), E.Neg(E.Mul(E.T(E.Call(Inv!, c.Arg)), g, E.T(c)))),
        "adjugate-rule", "d adj(X) = tr(inv(X) dX) adj(X) - inv(X) dX adj(X)");

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
        (c, g) => E.Call(Diag!, g),
        "diag-rule", "d diag(X) = diag(dX)");

    public static readonly MatrixFunction Sum = new("sum", Signature.AnyToScalar, "sum of all entries",
        a => $"\\operatorname{{sum}}\\left({a}\\right)",
        t =>
        {
            double s = 0;
            foreach (var v in t.Data) s += v;
            return Tensor.Scalar(s);
        },
        (c, g) => E.Fill(g, c.Arg.Shape),
        "sum-rule", "d sum(X) = sum(dX)");

    public static readonly MatrixFunction Norm2 = new("norm2", Signature.AnyToScalar, "Euclidean norm (Frobenius for a matrix)",
        a => $"\\left\\|{a}\\right\\|_2",
        t =>
        {
            double s = 0;
            foreach (var v in t.Data) s += v * v;
            return Tensor.Scalar(Math.Sqrt(s));
        },
        (c, g) => E.Div(E.Mul(g, c.Arg), c),
        "norm2-rule", "d norm2(X) = <X, dX>/norm2(X)");

    public static readonly MatrixFunction Norm1 = new("norm1", Signature.AnyToScalar, "sum of absolute values",
        a => $"\\left\\|{a}\\right\\|_1",
        t =>
        {
            double s = 0;
            foreach (var v in t.Data) s += Math.Abs(v);
            return Tensor.Scalar(s);
        },
        (c, g) => E.Mul(g, E.Call(Sign, c.Arg)),
        "norm1-rule", "d norm1(X) = <sign(X), dX>");

    public static readonly MatrixFunction Softmax = new("softmax", Signature.VectorToVector, "exp(x)/sum(exp(x))",
        a => $"\\operatorname{{softmax}}\\left({a}\\right)",
        t =>
        {
            double mx = t.Data.Length == 0 ? 0 : t.Data.Max();
            var e = t.Data.Select(v => Math.Exp(v - mx)).ToArray();
            double s = e.Sum();
            return Tensor.Vector(e.Select(v => v / s).ToArray());
        },
        // J = diag(s) - s s' is symmetric, so the gradient is s .* g - s (s' g).
        (c, g) => E.Add(E.Had(c, g), E.Neg(E.Mul(E.Mul(E.T(c), g), c))),
        "softmax-rule", "d softmax(x) = (diag(s) - s*s') dx with s = softmax(x)");

    public static readonly MatrixFunction Logsumexp = new("logsumexp", Signature.VectorToScalar, "log(sum(exp(x))), computed stably",
        a => $"\\operatorname{{logsumexp}}\\left({a}\\right)",
        t =>
        {
            double mx = t.Data.Length == 0 ? 0 : t.Data.Max();
            return Tensor.Scalar(mx + Math.Log(t.Data.Sum(v => Math.Exp(v - mx))));
        },
        (c, g) => E.Mul(g, E.Call(Softmax, c.Arg)),
        "logsumexp-rule", "d logsumexp(x) = softmax(x)' dx");

    /// <summary>Every function of the language, by name.</summary>
    public static readonly IReadOnlyDictionary<string, FunctionOp> ByName = new FunctionOp[]
    {
        Exp, Log, Sin, Cos, Tan, Arcsin, Arccos, Arctan, Tanh, Sqrt, Abs, Sign, Sigmoid, Softplus, Relu, Step,
        Tr, Det, Logdet, Inv, Adj, Diag, Sum, Norm2, Norm1, Softmax, Logsumexp,
    }.ToDictionary(f => f.Name);

    /// <summary>Names the binder handles itself: dot(x,y), vector(c), matrix(c), eye.</summary>
    public static readonly IReadOnlyList<string> SpecialForms = ["dot", "vector", "matrix", "eye"];

    public static IEnumerable<string> AllNames => ByName.Keys.Concat(SpecialForms);
}
