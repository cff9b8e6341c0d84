using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.LinearAlgebra;

namespace Nabla.Ops;

/// <summary>An element-wise function f with its derivative f' written as an expression.</summary>
public sealed class ElementwiseFunction(
    string name, string summary, string latexName, Func<double, double> f,
    Func<Expr, Expr> derivative, string derivativeText, Func<double, bool>? domain = null, string? domainText = null,
    Func<Interval, Interval>? image = null, Func<Expr, Expr?>? rewrite = null)
    : FunctionOp(name, Signature.Elementwise, summary)
{
    /// <summary>The function's own identities (exp(log(u)) = u, …), where it states any.</summary>
    public override Expr? Rewrite(IReadOnlyList<Expr> args) => args.Count == 1 ? rewrite?.Invoke(args[0]) : null;

    /// <summary>The image of the argument's interval under f, where the op states one; <see cref="Interval.All"/> otherwise.</summary>
    public override Interval Image(Interval argument) => image?.Invoke(argument) ?? Interval.All;

    /// <summary>f on one entry: the numeric kernel applied to every entry.</summary>
    public Func<double, double> Kernel { get; } = f;

    /// <summary>f'(x) as an expression of the same shape as x.</summary>
    public Expr Derivative(Expr x) => derivative(x);

    /// <summary>LaTeX of f applied to the argument: \sqrt, |·| and log(1+·) for sqrt, abs and log1p, the named function otherwise.</summary>
    public override string Latex(string arg) => latexName switch
    {
        "sqrt" => $"\\sqrt{{{arg}}}",
        "abs" => $"\\left|{arg}\\right|",
        "log1p" => $"\\log\\left(1+{arg}\\right)",
        _ => $"{latexName}\\left({arg}\\right)",
    };

    /// <summary>Always true: every form brackets its argument itself.</summary>
    public override bool LatexBracketsArgument => true;

    /// <summary>f applied to every entry; throws a domain error for an entry outside the function's domain.</summary>
    public override Tensor Evaluate(Tensor arg)
    {
        if (domain is not null)
            foreach (var v in arg.Data)
                if (!domain(v))
                    throw new NablaException(ErrorCodes.DomainError, $"{Name} is applied to {v:G6}, outside its domain ({domainText})");
        return arg.Map(Kernel);
    }

    /// <summary>The chain rule: d f(X) = f'(X) .* dX.</summary>
    public override Expr Differential(Call node, Expr dArg) => E.Had(Derivative(node.Arg), dArg);

    /// <summary>Positive points for a function with a restricted domain, any otherwise.</summary>
    public override PointDomain PointDomain => domain is null ? PointDomain.Any : PointDomain.Positive;

    /// <summary>Always "chain-rule".</summary>
    public override string RuleName => "chain-rule";

    /// <summary>d f(X) = f'(X) .* dX, with f' written out.</summary>
    public override string RuleText => $"d {Name}(X) = {derivativeText} .* dX";
}

/// <summary>The element-wise functions of the contract (and step, the derivative of relu).</summary>
public static partial class Functions
{
    private static Expr Sq(Expr x) => E.Pow(x, 2);

    private static Expr One(Expr x) => E.Fill(E.N(1), x.Shape);

    /// <summary>exp, with derivative exp(X); values in (0, ∞); exp(log(u)) = u.</summary>
    public static readonly ElementwiseFunction Exp = new("exp", "e to the power of each entry", "\\exp", Math.Exp,
        x => E.Call(Exp!, x), "exp(X)", image: a => Interval.Increasing(Math.Exp, a),
        rewrite: x => x is Call { Op: var op } l && ReferenceEquals(op, Log) ? l.Arg : null);

    /// <summary>log, defined for positive entries, with derivative 1./X; log(exp(u)) = u and log(1+exp(u)) = softplus(u).</summary>
    public static readonly ElementwiseFunction Log = new("log", "natural logarithm of each entry", "\\log", Math.Log,
        x => E.HDiv(One(x), x), "1./X", v => v > 0, "positive entries", a => a.IsPositive ? Interval.Increasing(Math.Log, a) : Interval.All,
        rewrite: x => x is Call { Op: var op } e && ReferenceEquals(op, Exp) ? e.Arg : OnePlusExp(x) is { } u ? E.Call(Softplus!, u) : null);

    /// <summary>u when e is 1 + exp(u) (the one a number or a fill of ones), else null.</summary>
    internal static Expr? OnePlusExp(Expr e) =>
        e is Add { Terms.Count: 2 } a && a.Terms.Any(t => t is Num { Value: 1 } || t is Fill { Value: Num { Value: 1 } })
            && a.Terms.FirstOrDefault(t => t is Call { Op: var op } && ReferenceEquals(op, Exp)) is Call c
            ? c.Arg : null;

    /// <summary>sin, with derivative cos(X); values in [-1, 1].</summary>
    public static readonly ElementwiseFunction Sin = new("sin", "sine of each entry", "\\sin", Math.Sin,
        x => E.Call(Cos!, x), "cos(X)", image: _ => new Interval(-1, 1));

    /// <summary>cos, with derivative -sin(X); values in [-1, 1].</summary>
    public static readonly ElementwiseFunction Cos = new("cos", "cosine of each entry", "\\cos", Math.Cos,
        x => E.Neg(E.Call(Sin, x)), "-sin(X)", image: _ => new Interval(-1, 1));

    /// <summary>tan, with derivative 1+tan(X).^2.</summary>
    public static readonly ElementwiseFunction Tan = new("tan", "tangent of each entry", "\\tan", Math.Tan,
        x => E.Add(One(x), Sq(E.Call(Tan!, x))), "(1+tan(X).^2)");

    /// <summary>arcsin, defined on [-1, 1], with derivative 1./sqrt(1-X.^2).</summary>
    public static readonly ElementwiseFunction Arcsin = new("arcsin", "inverse sine of each entry", "\\arcsin", Math.Asin,
        x => E.HDiv(One(x), E.Call(Sqrt!, E.Add(One(x), E.Neg(Sq(x))))), "1./sqrt(1-X.^2)", v => v >= -1 && v <= 1, "entries in [-1, 1]");

    /// <summary>arccos, defined on [-1, 1], with derivative -1./sqrt(1-X.^2).</summary>
    public static readonly ElementwiseFunction Arccos = new("arccos", "inverse cosine of each entry", "\\arccos", Math.Acos,
        x => E.Neg(E.HDiv(One(x), E.Call(Sqrt!, E.Add(One(x), E.Neg(Sq(x)))))), "-1./sqrt(1-X.^2)", v => v >= -1 && v <= 1, "entries in [-1, 1]");

    /// <summary>arctan, with derivative 1./(1+X.^2).</summary>
    public static readonly ElementwiseFunction Arctan = new("arctan", "inverse tangent of each entry", "\\arctan", Math.Atan,
        x => E.HDiv(One(x), E.Add(One(x), Sq(x))), "1./(1+X.^2)", image: a => Interval.Increasing(Math.Atan, a));

    /// <summary>tanh, with derivative 1-tanh(X).^2.</summary>
    public static readonly ElementwiseFunction Tanh = new("tanh", "hyperbolic tangent of each entry", "\\tanh", Math.Tanh,
        x => E.Add(One(x), E.Neg(Sq(E.Call(Tanh!, x)))), "(1-tanh(X).^2)", image: a => Interval.Increasing(Math.Tanh, a));

    /// <summary>sqrt, defined for non-negative entries, with derivative 0.5./sqrt(X).</summary>
    public static readonly ElementwiseFunction Sqrt = new("sqrt", "square root of each entry", "sqrt", Math.Sqrt,
        x => E.HDiv(E.Fill(E.N(0.5), x.Shape), E.Call(Sqrt!, x)), "0.5./sqrt(X)", v => v >= 0, "non-negative entries",
        a => a.IsNonNegative ? Interval.Increasing(Math.Sqrt, a) : Interval.NonNegative);

    /// <summary>abs, with derivative sign(X); values non-negative.</summary>
    public static readonly ElementwiseFunction Abs = new("abs", "absolute value of each entry", "abs", Math.Abs,
        x => E.Call(Sign!, x), "sign(X)", image: _ => Interval.NonNegative);

    /// <summary>sign (-1, 0 or 1), with derivative 0.</summary>
    public static readonly ElementwiseFunction Sign = new("sign", "sign of each entry (-1, 0 or 1)", "\\operatorname{sign}", v => Math.Sign(v),
        x => E.Fill(E.N(0), x.Shape), "0", image: _ => new Interval(-1, 1));

    /// <summary>The logistic sigmoid 1/(1+exp(-z)), with derivative sigmoid(X).*(1-sigmoid(X)); values in (0, 1).</summary>
    public static readonly ElementwiseFunction Sigmoid = new("sigmoid", "logistic function 1/(1+exp(-z)) of each entry", "\\sigma",
        v => v >= 0 ? 1 / (1 + Math.Exp(-v)) : Math.Exp(v) / (1 + Math.Exp(v)),
        x => E.Had(E.Call(Sigmoid!, x), E.Add(One(x), E.Neg(E.Call(Sigmoid!, x)))), "sigmoid(X).*(1-sigmoid(X))",
        image: a => Interval.Increasing(v => double.IsNegativeInfinity(v) ? 0 : double.IsPositiveInfinity(v) ? 1 : Sigmoid!.Kernel(v), a));

    /// <summary>softplus log(1+exp(z)), with derivative sigmoid(X); values positive.</summary>
    public static readonly ElementwiseFunction Softplus = new("softplus", "log(1+exp(z)) of each entry", "\\operatorname{softplus}",
        v => v > 0 ? v + Math.Log(1 + Math.Exp(-v)) : Math.Log(1 + Math.Exp(v)),
        x => E.Call(Sigmoid, x), "sigmoid(X)", image: a => Interval.Increasing(v => double.IsNegativeInfinity(v) ? 0 : Softplus!.Kernel(v), a));

    /// <summary>relu max(z, 0), with derivative step(X).</summary>
    public static readonly ElementwiseFunction Relu = new("relu", "max(z, 0) of each entry", "\\operatorname{relu}", v => v > 0 ? v : 0,
        x => E.Call(Step!, x), "step(X)", image: _ => Interval.NonNegative);

    /// <summary>The Heaviside step (1 for a positive entry, else 0), the derivative of relu, with derivative 0.</summary>
    public static readonly ElementwiseFunction Step = new("step", "1 where the entry is positive, else 0 (the derivative of relu)", "\\operatorname{step}",
        v => v > 0 ? 1 : 0, x => E.Fill(E.N(0), x.Shape), "0", image: _ => new Interval(0, 1));

    // ----- v1.6: the everyday functions users type first -----

    /// <summary>An image that reaches its limit in doubles (erf(6) is 1.0): closed at an end whose argument end is infinite.</summary>
    private static Interval Closed(Interval image, Interval argument) =>
        image with { LoOpen = image.LoOpen && !double.IsInfinity(argument.Lo), HiOpen = image.HiOpen && !double.IsInfinity(argument.Hi) };

    private static readonly double TwoOverSqrtPi = 2 / Math.Sqrt(Math.PI), InvSqrt2 = 1 / Math.Sqrt(2), InvSqrt2Pi = 1 / Math.Sqrt(2 * Math.PI);

    /// <summary>The error function erf, with derivative 2/sqrt(pi)*exp(-X.^2).</summary>
    public static readonly ElementwiseFunction Erf = new("erf", "error function 2/sqrt(pi)*integral of exp(-t^2) from 0, of each entry", "\\operatorname{erf}", Special.Erf,
        x => E.Mul(E.N(TwoOverSqrtPi), E.Call(Exp, E.Neg(Sq(x)))), "2/sqrt(pi)*exp(-X.^2)", image: a => Closed(Interval.Increasing(Special.Erf, a), a));

    /// <summary>log1p log(1+z), exact near 0, defined for entries greater than -1, with derivative 1./(1+X).</summary>
    public static readonly ElementwiseFunction Log1p = new("log1p", "log(1+z) of each entry, exact near 0", "log1p", Special.Log1p,
        x => E.HDiv(One(x), E.Add(One(x), x)), "1./(1+X)", v => v > -1, "entries greater than -1",
        a => a.Lo > -1 || (a.Lo == -1 && a.LoOpen) ? Interval.Increasing(Special.Log1p, a) : Interval.All);

    /// <summary>expm1 exp(z)-1, exact near 0, with derivative exp(X).</summary>
    public static readonly ElementwiseFunction Expm1 = new("expm1", "exp(z)-1 of each entry, exact near 0", "\\operatorname{expm1}", Special.Expm1,
        x => E.Call(Exp, x), "exp(X)", image: a => Interval.Increasing(Special.Expm1, a));

    /// <summary>cosh, with derivative sinh(X); values at least 1.</summary>
    public static readonly ElementwiseFunction Cosh = new("cosh", "hyperbolic cosine of each entry", "\\cosh", Math.Cosh,
        x => E.Call(Sinh!, x), "sinh(X)", image: _ => new Interval(1, double.PositiveInfinity, false, true));

    /// <summary>sinh, with derivative cosh(X).</summary>
    public static readonly ElementwiseFunction Sinh = new("sinh", "hyperbolic sine of each entry", "\\sinh", Math.Sinh,
        x => E.Call(Cosh, x), "cosh(X)", image: a => Interval.Increasing(Math.Sinh, a));

    /// <summary>gelu(z) = z Φ(z) = z (1 + erf(z/√2))/2; gelu'(z) = Φ(z) + z φ(z).</summary>
    public static readonly ElementwiseFunction Gelu = new("gelu", "z*Phi(z) = z*(1+erf(z/sqrt(2)))/2 of each entry (the erf form)", "\\operatorname{gelu}", Special.Gelu,
        x => E.Add(
            E.Mul(E.N(0.5), E.Add(One(x), E.Call(Erf, E.Mul(E.N(InvSqrt2), x)))),
            E.Mul(E.N(InvSqrt2Pi), E.Had(x, E.Call(Exp, E.Mul(E.N(-0.5), Sq(x)))))),
        "(1+erf(X/sqrt(2)))/2 + X.*exp(-X.^2/2)/sqrt(2*pi)");
}
