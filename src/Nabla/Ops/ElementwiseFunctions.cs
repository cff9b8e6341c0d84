using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.LinearAlgebra;

namespace Nabla.Ops;

/// <summary>An element-wise function f with its derivative f' written as an expression.</summary>
public sealed class ElementwiseFunction(
    string name, string summary, string latexName, Func<double, double> f,
    Func<Expr, Expr> derivative, string derivativeText, Func<double, bool>? domain = null, string? domainText = null,
    Func<Interval, Interval>? image = null)
    : FunctionOp(name, Signature.Elementwise, summary)
{
    public override Interval Image(Interval argument) => image?.Invoke(argument) ?? Interval.All;

    public Func<double, double> Kernel { get; } = f;

    /// <summary>f'(x) as an expression of the same shape as x.</summary>
    public Expr Derivative(Expr x) => derivative(x);

    public override string Latex(string arg) => latexName switch
    {
        "sqrt" => $"\\sqrt{{{arg}}}",
        "abs" => $"\\left|{arg}\\right|",
        _ => $"{latexName}\\left({arg}\\right)",
    };

    public override bool LatexBracketsArgument => true;

    public override Tensor Evaluate(Tensor arg)
    {
        if (domain is not null)
            foreach (var v in arg.Data)
                if (!domain(v))
                    throw new NablaException(ErrorCodes.DomainError, $"{Name} is applied to {v:G6}, outside its domain ({domainText})");
        return arg.Map(Kernel);
    }

    public override Expr Differential(Call node, Expr dArg) => E.Had(Derivative(node.Arg), dArg);

    public override PointDomain PointDomain => domain is null ? PointDomain.Any : PointDomain.Positive;

    public override string RuleName => "chain-rule";

    public override string RuleText => $"d {Name}(X) = {derivativeText} .* dX";
}

/// <summary>The element-wise functions of the contract (and step, the derivative of relu).</summary>
public static partial class Functions
{
    private static Expr Sq(Expr x) => E.Pow(x, 2);

    private static Expr One(Expr x) => E.Fill(E.N(1), x.Shape);

    public static readonly ElementwiseFunction Exp = new("exp", "e to the power of each entry", "\\exp", Math.Exp,
        x => E.Call(Exp!, x), "exp(X)", image: a => Interval.Increasing(Math.Exp, a));

    public static readonly ElementwiseFunction Log = new("log", "natural logarithm of each entry", "\\log", Math.Log,
        x => E.HDiv(One(x), x), "1./X", v => v > 0, "positive entries", a => a.IsPositive ? Interval.Increasing(Math.Log, a) : Interval.All);

    public static readonly ElementwiseFunction Sin = new("sin", "sine of each entry", "\\sin", Math.Sin,
        x => E.Call(Cos!, x), "cos(X)", image: _ => new Interval(-1, 1));

    public static readonly ElementwiseFunction Cos = new("cos", "cosine of each entry", "\\cos", Math.Cos,
        x => E.Neg(E.Call(Sin, x)), "-sin(X)", image: _ => new Interval(-1, 1));

    public static readonly ElementwiseFunction Tan = new("tan", "tangent of each entry", "\\tan", Math.Tan,
        x => E.Add(One(x), Sq(E.Call(Tan!, x))), "(1+tan(X).^2)");

    public static readonly ElementwiseFunction Arcsin = new("arcsin", "inverse sine of each entry", "\\arcsin", Math.Asin,
        x => E.HDiv(One(x), E.Call(Sqrt!, E.Add(One(x), E.Neg(Sq(x))))), "1./sqrt(1-X.^2)", v => v >= -1 && v <= 1, "entries in [-1, 1]");

    public static readonly ElementwiseFunction Arccos = new("arccos", "inverse cosine of each entry", "\\arccos", Math.Acos,
        x => E.Neg(E.HDiv(One(x), E.Call(Sqrt!, E.Add(One(x), E.Neg(Sq(x)))))), "-1./sqrt(1-X.^2)", v => v >= -1 && v <= 1, "entries in [-1, 1]");

    public static readonly ElementwiseFunction Arctan = new("arctan", "inverse tangent of each entry", "\\arctan", Math.Atan,
        x => E.HDiv(One(x), E.Add(One(x), Sq(x))), "1./(1+X.^2)", image: a => Interval.Increasing(Math.Atan, a));

    public static readonly ElementwiseFunction Tanh = new("tanh", "hyperbolic tangent of each entry", "\\tanh", Math.Tanh,
        x => E.Add(One(x), E.Neg(Sq(E.Call(Tanh!, x)))), "(1-tanh(X).^2)", image: a => Interval.Increasing(Math.Tanh, a));

    public static readonly ElementwiseFunction Sqrt = new("sqrt", "square root of each entry", "sqrt", Math.Sqrt,
        x => E.HDiv(E.Fill(E.N(0.5), x.Shape), E.Call(Sqrt!, x)), "0.5./sqrt(X)", v => v >= 0, "non-negative entries",
        a => a.IsNonNegative ? Interval.Increasing(Math.Sqrt, a) : Interval.NonNegative);

    public static readonly ElementwiseFunction Abs = new("abs", "absolute value of each entry", "abs", Math.Abs,
        x => E.Call(Sign!, x), "sign(X)", image: _ => Interval.NonNegative);

    public static readonly ElementwiseFunction Sign = new("sign", "sign of each entry (-1, 0 or 1)", "\\operatorname{sign}", v => Math.Sign(v),
        x => E.Fill(E.N(0), x.Shape), "0", image: _ => new Interval(-1, 1));

    public static readonly ElementwiseFunction Sigmoid = new("sigmoid", "logistic function 1/(1+exp(-z)) of each entry", "\\sigma",
        v => v >= 0 ? 1 / (1 + Math.Exp(-v)) : Math.Exp(v) / (1 + Math.Exp(v)),
        x => E.Had(E.Call(Sigmoid!, x), E.Add(One(x), E.Neg(E.Call(Sigmoid!, x)))), "sigmoid(X).*(1-sigmoid(X))",
        image: a => Interval.Increasing(v => double.IsNegativeInfinity(v) ? 0 : double.IsPositiveInfinity(v) ? 1 : Sigmoid!.Kernel(v), a));

    public static readonly ElementwiseFunction Softplus = new("softplus", "log(1+exp(z)) of each entry", "\\operatorname{softplus}",
        v => v > 0 ? v + Math.Log(1 + Math.Exp(-v)) : Math.Log(1 + Math.Exp(v)),
        x => E.Call(Sigmoid, x), "sigmoid(X)", image: a => Interval.Increasing(v => double.IsNegativeInfinity(v) ? 0 : Softplus!.Kernel(v), a));

    public static readonly ElementwiseFunction Relu = new("relu", "max(z, 0) of each entry", "\\operatorname{relu}", v => v > 0 ? v : 0,
        x => E.Call(Step!, x), "step(X)", image: _ => Interval.NonNegative);

    public static readonly ElementwiseFunction Step = new("step", "1 where the entry is positive, else 0 (the derivative of relu)", "\\operatorname{step}",
        v => v > 0 ? 1 : 0, x => E.Fill(E.N(0), x.Shape), "0", image: _ => new Interval(0, 1));
}
