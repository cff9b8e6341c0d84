using Nabla.Calculus;
using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.Printing;
using Nabla.Semantics;
using Nabla.Simplify;

namespace Nabla.Api;

public enum DerivativeKind { Gradient, Jacobian, Hessian }

/// <summary>One derivative of an objective: the simplified expression, its printed forms and (optionally) its value.</summary>
public sealed record DerivativeResult(
    string Wrt, DerivativeKind Kind, Expr Result, Shape Shape, string Text, string Latex,
    Tensor? Value = null, IReadOnlyList<RuleApplication>? Trace = null, Explain.Explanation? Steps = null);

/// <summary>The library's front door: bind, differentiate, simplify, print, evaluate.</summary>
public static class Derivation
{
    public static string KindName(DerivativeKind k) => k.ToString().ToLowerInvariant();

    public static DerivativeKind ParseKind(string s) => s switch
    {
        "gradient" => DerivativeKind.Gradient,
        "jacobian" => DerivativeKind.Jacobian,
        "hessian" => DerivativeKind.Hessian,
        _ => throw new NablaException(ErrorCodes.BadRequest, $"unknown derivative '{s}': use gradient, jacobian or hessian"),
    };

    /// <summary>The variable to differentiate by: one of the expression's, a declared one, or (absent) one typed by the convention.</summary>
    public static Var WrtVariable(BoundExpression bound, string name, BindOptions options)
    {
        if (bound.Variable(name) is { } v) return v;
        if (string.IsNullOrEmpty(name) || !char.IsAsciiLetter(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            throw new NablaException(ErrorCodes.BadRequest, $"'{name}' is not a variable name");
        var kind = options.Declarations.TryGetValue(name, out var t) ? t.Kind
            : options.ConcreteShapes.TryGetValue(name, out var cs) ? VarType.KindOf(cs.Kind) : VarType.Convention(name);
        var fresh = Dim.Symbol("n_" + name);
        Dim D(string? text, Dim? concrete) => concrete ?? (text is null ? fresh : int.TryParse(text, out int k) ? Dim.Of(k) : Dim.Symbol(text));
        options.ConcreteShapes.TryGetValue(name, out var c);
        var shape = kind switch
        {
            VarKind.Scalar => Shape.Scalar,
            VarKind.Vector => Shape.Vector(D(t?.Rows, c.Rows)),
            VarKind.Matrix => Shape.Matrix(D(t?.Rows, c.Rows), D(t?.Cols, c.Cols)),
            _ => Shape.Matrix(D(t?.Rows, c.Rows), D(t?.Rows, c.Rows)),
        };
        return new Var(name, shape, kind == VarKind.Symmetric);
    }

    /// <summary>The simplified derivative of the objective with respect to <paramref name="x"/>.</summary>
    public static Expr Derive(Expr f, Var x, DerivativeKind kind, List<RuleApplication>? trace = null) => kind switch
    {
        DerivativeKind.Gradient => Simplifier.Simplify(Differentiator.Gradient(f, x, trace)),
        DerivativeKind.Jacobian => Jacobians.Jacobian(f, x),
        _ => Jacobians.Hessian(f, x),
    };

    /// <param name="f">The objective.</param>
    /// <param name="x">The variable.</param>
    /// <param name="kind">Gradient, Jacobian or Hessian.</param>
    /// <param name="trace">Record the reverse-mode rule applications.</param>
    /// <param name="steps">Also derive it step by step, the way a seminar does (gradients).</param>
    public static DerivativeResult Compute(Expr f, Var x, DerivativeKind kind, bool trace = false, bool steps = false)
    {
        var rules = trace ? new List<RuleApplication>() : null;
        var d = Derive(f, x, kind, rules);
        var explanation = steps ? Explain.Explainer.Explain(f, x, kind) : null;
        return new DerivativeResult(x.Name, kind, d, d.Shape, TextPrinter.PrintResult(d), LatexPrinter.Print(d), null, rules, explanation);
    }
}
